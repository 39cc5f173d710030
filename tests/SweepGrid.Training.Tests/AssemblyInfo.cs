// Several tests seed torch's process-wide generator and build models directly (outside the trainer's
// init lock, which guards only TrainingSession), so run in parallel they perturb each other's initial
// weights and the determinism tests fail at random. In production only TrainingSession builds models,
// under that lock, and every other random draw uses a per-trial generator.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
