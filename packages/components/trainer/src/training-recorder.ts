// The callback a runFn passes to fit/fitDataset (`fnArgs.callbacks`), through which the executor learns
// per-epoch loss and metrics, examples seen and time spent fitting, without the user reporting them.
import type * as Tfjs from '@tensorflow/tfjs'
import type { TfModule } from './backend.js'

/** Loss and metrics of one epoch, as tfjs logs them (`loss`, `acc`, `val_loss`…). */
export interface EpochRecord {
  /** 0-based, counted across every fit call of the run. */
  readonly epoch: number
  readonly loss?: number
  readonly [metric: string]: number | undefined
}

/** What the recorder saw, filled in as training runs. */
export interface TrainingRecord {
  readonly epochs: EpochRecord[]
  /** Examples fed to training steps (validation excluded). */
  examplesSeen: number
  /** Time spent inside fit calls. */
  fitTimeMs: number
  /** Every model fit with the callback, to be disposed after the run. */
  readonly models: Set<Tfjs.LayersModel>
}

/** Options of {@link createTrainingRecorder}. */
export interface TrainingRecorderOptions {
  /** Stops training (`model.stopTraining`) at the next batch once aborted. */
  readonly signal?: AbortSignal
  /** Called after every epoch with its record. */
  readonly onEpochEnd?: (record: EpochRecord, progress: { epoch: number; epochs: number | undefined }) => void
}

/**
 * Creates `fnArgs.callbacks`: a tfjs CustomCallback recording every epoch's logs. Batches are only
 * counted: reading the batch loss would force a backend sync per step.
 */
export function createTrainingRecorder(tf: TfModule, options: TrainingRecorderOptions = {}): { callback: Tfjs.CustomCallback; record: TrainingRecord } {
  const record: TrainingRecord = { epochs: [], examplesSeen: 0, fitTimeMs: 0, models: new Set() }
  let startedAt = 0
  class TrainingRecorder extends tf.CustomCallback {
    // BaseCallback.setModel is a no-op; the model is needed to dispose it and to stop training.
    private model: Tfjs.LayersModel | undefined

    override setModel(model: Parameters<Tfjs.CustomCallback['setModel']>[0]): void {
      this.model = model as unknown as Tfjs.LayersModel
    }

    constructor() {
      super({
        onTrainBegin: () => {
          startedAt = performance.now()
          if (this.model) record.models.add(this.model)
        },
        onTrainEnd: () => {
          record.fitTimeMs += performance.now() - startedAt
        },
        onEpochEnd: (epoch, logs) => {
          const entry: EpochRecord = { epoch: record.epochs.length, ...(logs as Record<string, number> | undefined) }
          record.epochs.push(entry)
          const epochs = (this.params as { epochs?: unknown } | undefined)?.epochs
          options.onEpochEnd?.(entry, { epoch, epochs: typeof epochs === 'number' ? epochs : undefined })
        },
      })
    }

    override async onBatchEnd(batch: number, logs?: Tfjs.Logs): Promise<void> {
      const size = (logs as { size?: unknown } | undefined)?.size
      if (typeof size === 'number') record.examplesSeen += size
      if (options.signal?.aborted && this.model) this.model.stopTraining = true
      await super.onBatchEnd(batch, logs)
    }
  }
  return { callback: new TrainingRecorder(), record }
}

/** Epoch records from a tfjs History (what `model.fit` returns), for a runFn that did not pass the callbacks. */
export function epochsFromHistory(history: Tfjs.History): EpochRecord[] {
  return history.epoch.map((epoch, i) => {
    const entry: Record<string, number> = { epoch }
    for (const [name, values] of Object.entries(history.history)) {
      const v = values[i]
      if (typeof v === 'number') entry[name] = v
    }
    return entry as EpochRecord
  })
}
