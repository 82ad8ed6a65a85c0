/** Oracle B2C Service (Connect REST) emulator over real HTTP, with fault injection. */
export { startEmulator } from './server.js';
export type {
  EmulatorContact,
  EmulatorIncident,
  EmulatorOptions,
  EmulatorQuirks,
  EmulatorPhone,
  EmulatorState,
  EmulatorThread,
  FaultPolicy,
  FaultSpec,
  RecordedRequest,
  RunningEmulator,
} from './types.js';
export type { CustomFieldType, EmulatorSite } from './site.js';
