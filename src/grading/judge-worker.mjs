// The judge thread's entry (see judge-thread.ts): loads the TypeScript judge through tsx, which
// is a runtime dependency, so that the same sources serve `npm start`, runners and tests.
import { tsImport } from "tsx/esm/api";

await tsImport("./judge-worker.ts", import.meta.url);
