import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { parentPort } from 'node:worker_threads';
import { nodeReader } from '../io/node-reader.js';
import { installErrorTransfer } from './comlink-errors.js';
import { transferringComputeService } from './compute-service.js';

installErrorTransfer();
Comlink.expose(transferringComputeService(nodeReader), nodeEndpoint(parentPort!));
