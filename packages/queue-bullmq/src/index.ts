export {
  type BullmqScheduler,
  type BullmqSchedulerEvents,
  type BullmqSchedulerOptions,
  bullmqScheduler,
  type ModelQueueState,
  type ReconcileReport,
  type SchedulerMetrics,
  type SchedulerRole,
  type SyncJobCompleted,
  type SyncJobError,
  type SyncJobFailed,
} from "./bullmq-scheduler.js";
export { type RepeatSpec, repeatOptionsFor } from "./job-keys.js";
