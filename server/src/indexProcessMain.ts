// Entry of the index's child process (core/index/indexProcess.ts), bundled alone as
// dist/indexProcess.js: it loads only the index and the analysis, not the language server, so a
// cold start reaches its build sooner.
import { serveIndexProcess } from './core/index/indexProcessChild';

serveIndexProcess();
