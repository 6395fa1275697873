import { exitOnStartFailure, runNodeServer } from "./node-server";

runNodeServer(process.env).catch(exitOnStartFailure);
