import * as Comlink from 'comlink';
import { blobReader } from '../io/blob-reader.js';
import { installErrorTransfer } from './comlink-errors.js';
import { transferringComputeService } from './compute-service.js';

installErrorTransfer();
Comlink.expose(transferringComputeService(blobReader));
