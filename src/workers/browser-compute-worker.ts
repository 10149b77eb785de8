import * as Comlink from 'comlink';
import { blobReader } from '../io/blob-reader.js';
import { installErrorTransfer } from './comlink-errors.js';
import { BROWSER_COMPUTE_SLOTS } from './browser-compute-slots.js';
import { transferringComputeService } from './compute-service.js';

installErrorTransfer();
Comlink.expose(transferringComputeService(blobReader, BROWSER_COMPUTE_SLOTS));
