import * as Comlink from 'comlink';
import { blobReader } from '../io/blob-reader.js';
import { installErrorTransfer } from './comlink-errors.js';
import { BROWSER_COMPUTE_SHAPE } from './browser-compute-shape.js';
import { transferringComputeService } from './compute-service.js';

installErrorTransfer();
Comlink.expose(transferringComputeService(blobReader, BROWSER_COMPUTE_SHAPE));
