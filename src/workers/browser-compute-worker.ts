import * as Comlink from 'comlink';
import { installErrorTransfer } from './comlink-errors.js';
import { transferringComputeService } from './compute-service.js';

installErrorTransfer();
Comlink.expose(transferringComputeService());
