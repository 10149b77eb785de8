import * as Comlink from 'comlink';
import { blobReadAt } from '../io/blob-read-at.js';
import { installErrorTransfer } from './comlink-errors.js';
import { transferringComputeService } from './compute-service.js';

installErrorTransfer();
Comlink.expose(transferringComputeService(blobReadAt));
