// The client names its storage folder in the server's environment too (besides initialize's
// storagePath): the server can then tell a cold start before it has loaded (earlyIndexProcess.ts).
// Its own module, loading nothing: protocol.ts re-exports it for the clients.

/** Environment variable holding the client's storage folder: a hint, initialize's storagePath decides. */
export const STORAGE_HINT_ENV = 'FLOWMAGE_STORAGE_HINT';
