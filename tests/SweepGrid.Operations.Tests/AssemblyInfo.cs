// Each test starts a cluster of real processes on 2 cores: one cluster at a time.
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]
