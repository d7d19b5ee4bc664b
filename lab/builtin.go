package lab

// Builtin returns the lab's experiments in the order of the guide. Each call
// builds fresh values, so callers may filter or reorder the slice freely.
func Builtin() []Experiment {
	return []Experiment{
		// Definitions; Async/Await.
		concurrencyVsParallelismExperiment(),
		asyncAwaitExperiment(),
		// Race condition; Mutex; Deadlock.
		raceConditionExperiment(),
		deadlockExperiment(),
		// Concurrency models; Go channels.
		concurrencyModelsExperiment(),
		actorBankExperiment(),
		remoteActorsExperiment(),
		eventLoopExperiment(),
		// When to use what.
		ioBoundExperiment(),
		parallelSpeedupExperiment(),
		webServerExperiment(),
		// Best practices.
		immutableSnapshotsExperiment(),
		minimizeLocksExperiment(),
		threadPoolExperiment(),
		casVsLockExperiment(),
		stressTestExperiment(),
	}
}
