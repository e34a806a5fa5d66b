// The version shown by the CLI and the server; esbuild inlines package.json.
import pkg from '../../../package.json';

export const SERVER_VERSION: string = pkg.version;
