// What both entry modules (index.ts for Node, browser.ts for bundlers) export: the session, what its methods take and
// give, and the sinks every platform has. Everything else is internal.

/** The session: one open dump and every command on it. */
export { Vmcore, type Platform } from './session/vmcore.js';
export type {
  AdviseCallOptions,
  AdviseResult,
  AnalyseCallOptions,
  Classification,
  ClassifyCallOptions,
  ExportCallOptions,
  KeepCounts,
  LevelViewRequest,
  PfnSpan,
  RangeReport,
  ScanSecretsCallOptions,
  ScratchFile,
  SplitCallOptions,
  SymbolLookup,
  WorkOptions,
} from './session/vmcore.js';
export type { ClassMapProgress, ClassMapProgressCallback, ClassMapSummary } from './session/class-map.js';

/** Errors: every failure is a VmsieveError with a code. */
export { VmsieveError, isVmsieveError, type ErrorCode } from './errors.js';

/** What the session's methods give. */
export type { CpuRegisters, DumpInfo, DumpSegment, DumpWarning } from './api-types.js';
export type { Dump, LoadSegment } from './model/dump.js';
export type { ClassifyResult } from './filter/classify-dump.js';
export { formatReport, type PageReport } from './filter/report.js';
export type { AnalyseResult, LevelSizes } from './pipeline/analyse.js';
export { codecFlag, OUTPUT_KINDS, outputFlag, type OutputKind } from './pipeline/outputs.js';
export type { ExportResult, OutputFormat } from './pipeline/export.js';
export type { SecretFinding, SecretScanResult } from './pipeline/scan-secrets.js';
export type { Progress, ProgressCallback } from './pipeline/progress.js';
export type { DmesgLayout, DmesgOptions, DmesgRecord, DmesgResult, DmesgWarning } from './kernel/dmesg/index.js';
export type { CrashContext, CrashLine, CrashTask } from './kernel/crash-context.js';
export { formatResolved, type ResolvedAddress, type SymbolAnswer } from './kernel/kallsyms/index.js';
export type { NeededKind } from './kernel/debugger-needs.js';
export type { DropReason, DroppedPage, KeepCheck } from './filter/keep-check.js';
export { advise, assumptions, configLines, WRITE_PRESETS, type Advice, type Candidate, type ConfigLine, type Speeds } from './advise/model.js';
export { CODECS, type CodecId } from './codecs/registry.js';

/** Where bytes come from and go to, on any platform. */
export type { ByteSink, SequentialSink } from './io/sink.js';
export { MemorySink } from './io/sink.js';
export { InOrderSink } from './io/in-order-sink.js';
export type { ByteSource } from './io/source.js';
export { MemorySource } from './io/source.js';
export { FlattenedSink, restoreFlattened } from './formats/flat/flattened.js';
export { SizeLimitedKdumpSink } from './formats/kdump/size-limit.js';
