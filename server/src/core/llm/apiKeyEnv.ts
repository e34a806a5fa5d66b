// The environment variable through which the VS Code client hands the LLM API key to the language
// server process (never through settings or JSON-RPC, which the trace setting would log).
export const API_KEY_ENV = 'FLOWMAGE_LLM_API_KEY';
