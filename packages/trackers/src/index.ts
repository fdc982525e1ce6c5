export { trackersModule, trackersManifest, localTrackerComponent, consoleTrackerComponent } from './trackers-module.js';
export { LocalTracker, type LocalTrackerDeps } from './local/local-tracker.js';
export {
  LocalRunFiles,
  readMetrics,
  readStatus,
  readParams,
  readArtifactIndex,
  type RunStatusRecord,
  type ArtifactEntry,
  type ArtifactIndex,
} from './local/run-files.js';
export {
  ConsoleTracker,
  type ConsoleTrackerOptions,
  type ConsoleTrackerDeps,
  type ConsoleStream,
} from './console/console-tracker.js';
export { ConsoleFormat } from './console/console-format.js';
export { trackersModule as default } from './trackers-module.js';
