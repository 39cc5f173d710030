using System.Text.Json;
using SweepGrid.Core.Checkpoints;
using SweepGrid.Core.Results;
using SweepGrid.Core.Sweeps;
using SweepGrid.Core.Trials;
using SweepGrid.Training.Checkpoints;
using SweepGrid.Data;
using SweepGrid.Training.Loop;
using SweepGrid.Tests.Shared;

namespace SweepGrid.Training.Tests.Checkpoints;

/// <summary>A trial interrupted after a checkpoint and run again ends exactly where an uninterrupted run ends.</summary>
public sealed class ResumeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sweepgrid-resume-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The reports, and how many there were: a store that takes each as it comes counts them all as stored.</summary>
    private sealed class Recorder(int cancelAfterEpoch = 0, CancellationTokenSource? cts = null) : ITrainingObserver
    {
        public List<EpochRecord> Epochs { get; } = [];

        public List<TrajectoryPoint> Points { get; } = [];

        public List<FlatnessRecord> Flatness { get; } = [];

        public int Reports { get; private set; }

        public int? ResumedAfter { get; private set; }

        public void OnEpoch(EpochRecord record)
        {
            Epochs.Add(record);
            Reports++;
            if (record.Epoch == cancelAfterEpoch) cts!.Cancel();
        }

        public void OnTrajectory(IReadOnlyList<TrajectoryPoint> points)
        {
            Points.AddRange(points);
            Reports++;
        }

        public void OnFlatness(FlatnessRecord record)
        {
            Flatness.Add(record);
            Reports++;
        }

        public void OnWalk(WalkRecord record) => Reports++;

        public List<SpectrumRecord> Spectra { get; } = [];

        public void OnSpectrum(SpectrumRecord record)
        {
            Spectra.Add(record);
            Reports++;
        }

        public void OnResumed(int epoch, long stepInEpoch) => (ResumedAfter, ResumedAtStep) = (epoch, stepInEpoch);

        public long? ResumedAtStep { get; private set; }

        public List<string> Rejected { get; } = [];

        public void OnCheckpointRejected(string reason) => Rejected.Add(reason);
    }

    /// <summary>
    /// A run stopped after epoch 2 while the store had confirmed all but its last two reports, the
    /// checkpoint it left, and a run resumed from it (every report then taken as it comes).
    /// </summary>
    private static (Recorder First, TrialPosition Position, Recorder Second) StoppedAtEpoch2WithTwoReportsUnconfirmedThenResumed(
        TrialSpec trial, DatasetPair data, string path)
    {
        using var cts = new CancellationTokenSource();
        var first = new Recorder(cancelAfterEpoch: 2, cts);
        Assert.ThrowsAny<OperationCanceledException>(() =>
            Trainer.Run(trial, data, first, new TrainerOptions(CheckpointPath: path, StoredReports: () => first.Reports - 2), cts.Token));
        var position = Position(path);
        var second = new Recorder();
        Trainer.Run(trial, data, second, new TrainerOptions(CheckpointPath: path), CancellationToken.None);
        return (first, position, second);
    }

    private static TrialPosition Position(string path) =>
        CheckpointFile.Read(path).Metadata.Deserialize<TrialPosition>(CheckpointFile.Json)!;

    private static EpochRecord Timeless(EpochRecord e) => e with { Seconds = 0 };

    private static readonly Dictionary<string, double> NoLayers = [];

    /// <summary>The point with its per-layer distances as text: records compare dictionaries by reference.</summary>
    private static (TrajectoryPoint, string) Comparable(TrajectoryPoint p) =>
        (p with { LayerDistances = NoLayers }, string.Join(";", p.LayerDistances.OrderBy(l => l.Key).Select(l => $"{l.Key}={l.Value:R}")));

    [Theory]
    [InlineData("")]
    [InlineData("optimizer { name = adam }")]
    [InlineData("grid { ghost-batch-size = [8] }, optimizer { clip-norm = 1 }, schedule { name = step, drop-epochs = [3] }")]
    public void Resuming_from_the_epoch_2_checkpoint_matches_an_uninterrupted_run_bit_for_bit(string overrides)
    {
        var trial = SyntheticSweeps.Trial(overrides, epochs: 4);
        var data = Datasets.Load(trial.Dataset);
        var path = Path.Combine(_dir, "t.ckpt");
        var whole = new Recorder();
        var expected = Trainer.Run(trial, data, whole, CancellationToken.None);

        using var cts = new CancellationTokenSource();
        var first = new Recorder(cancelAfterEpoch: 2, cts);
        Assert.ThrowsAny<OperationCanceledException>(() => Trainer.Run(trial, data, first, new TrainerOptions(CheckpointPath: path), cts.Token));
        var second = new Recorder();
        var resumed = Trainer.Run(trial, data, second, new TrainerOptions(CheckpointPath: path), CancellationToken.None);

        Assert.Equal(2, second.ResumedAfter);
        Assert.Equal(2, resumed.ResumedFromEpoch);
        Assert.Null(expected.ResumedFromEpoch);
        // The resumed run reports the checkpoint's epochs again (the recorder may not have stored them
        // before the process died), then its own: on its own, the whole trajectory, as if never stopped.
        Assert.Equal([1, 2, 3, 4], second.Epochs.Select(e => e.Epoch));
        Assert.Equal(first.Epochs.Select(Timeless), second.Epochs.Take(2).Select(Timeless));
        AssertSameAsUninterrupted(whole, expected, second, resumed);
    }

    /// <summary>The resumed run's reports and outcome are the uninterrupted run's, bit for bit (but for seconds).</summary>
    private static void AssertSameAsUninterrupted(Recorder whole, TrialOutcome expected, Recorder second, TrialOutcome resumed)
    {
        Assert.Equal(whole.Epochs.Select(Timeless), second.Epochs.Select(Timeless));
        Assert.Equal(whole.Points.Select(Comparable), second.Points.Select(Comparable));
        Assert.Equal(expected.Steps, resumed.Steps);
        Assert.Equal(expected.DistanceFit, resumed.DistanceFit);
        Assert.Equal(Timeless(expected.Final!), Timeless(resumed.Final!));
    }

    [Fact]
    public void An_attempt_resumes_from_the_newest_earlier_attempts_checkpoint_and_writes_only_its_own()
    {
        var trial = SyntheticSweeps.Trial("", epochs: 4);
        var data = Datasets.Load(trial.Dataset);
        var trialPath = Path.Combine(_dir, "t.ckpt");
        void RunAttempt(int attempt, int stopAfterEpoch)
        {
            using var cts = new CancellationTokenSource();
            Assert.ThrowsAny<OperationCanceledException>(() => Trainer.Run(trial, data, new Recorder(cancelAfterEpoch: stopAfterEpoch, cts),
                new TrainerOptions(CheckpointPath: CheckpointFile.ForAttempt(trialPath, attempt), EarlierCheckpoints: CheckpointFile.EarlierAttempts(trialPath, attempt)),
                cts.Token));
        }

        RunAttempt(1, stopAfterEpoch: 2);
        RunAttempt(2, stopAfterEpoch: 3); // resumes from attempt 1's epoch 2, checkpoints epoch 3 in its own file
        var attempt1 = File.ReadAllBytes(CheckpointFile.ForAttempt(trialPath, 1));
        var third = new Recorder();
        var outcome = Trainer.Run(trial, data, third,
            new TrainerOptions(CheckpointPath: CheckpointFile.ForAttempt(trialPath, 3), EarlierCheckpoints: CheckpointFile.EarlierAttempts(trialPath, 3)),
            CancellationToken.None);

        Assert.Equal(3, outcome.ResumedFromEpoch);
        Assert.Equal(3, third.ResumedAfter);
        // Attempt 1's file is as attempt 1 left it: no later attempt wrote over it.
        Assert.Equal(attempt1, File.ReadAllBytes(CheckpointFile.ForAttempt(trialPath, 1)));
        Assert.False(File.Exists(trialPath));
    }

    [Fact]
    public void A_released_trial_checkpoints_the_epoch_it_was_in_and_resumes_from_it_bit_for_bit()
    {
        // No periodic checkpoints: the only checkpoint is the one the release writes.
        var trial = SyntheticSweeps.Trial("checkpoint { every-epochs = 0 }", epochs: 4);
        var data = Datasets.Load(trial.Dataset);
        var path = Path.Combine(_dir, "t.ckpt");
        var whole = new Recorder();
        var expected = Trainer.Run(trial, data, whole, CancellationToken.None);

        using var release = new CancellationTokenSource();
        var first = new Recorder(cancelAfterEpoch: 2, release);
        var released = Assert.Throws<TrialReleasedException>(() =>
            Trainer.Run(trial, data, first, new TrainerOptions(CheckpointPath: path), CancellationToken.None, release.Token));
        Assert.Equal((2, true), (released.Epoch, released.Checkpointed));
        Assert.True(File.Exists(path));
        Assert.Equal([1, 2], first.Epochs.Select(e => e.Epoch));

        var second = new Recorder();
        var resumed = Trainer.Run(trial, data, second, new TrainerOptions(CheckpointPath: path), CancellationToken.None);
        Assert.Equal(2, resumed.ResumedFromEpoch);
        Assert.Equal(whole.Epochs.Select(Timeless), second.Epochs.Select(Timeless));
        Assert.Equal(Timeless(expected.Final!), Timeless(resumed.Final!));
    }

    /// <summary>
    /// A release at a step within an epoch: the run stops after that step, checkpoints it, and the resumed
    /// run draws the same permutation, starts at the next step and ends bit for bit where an uninterrupted
    /// run ends; every point of the interrupted epoch is reported once by one run or the other.
    /// </summary>
    [Theory]
    [InlineData("", 39)] // 16 steps an epoch: 7 into epoch 3
    [InlineData("", 5)] // within epoch 1: no epoch finished yet
    [InlineData("", 63)] // the last epoch's second-to-last step
    [InlineData("optimizer { name = adam }, metrics { every-steps = 3, path-length = true, walk-every-steps = 5, eval-every-steps = 6, flatness = [] }", 23)]
    [InlineData("grid { ghost-batch-size = [8] }, optimizer { clip-norm = 1 }, schedule { name = step, drop-epochs = [3] }, training { micro-batch = 16 }", 41)]
    public void A_release_within_an_epoch_checkpoints_that_step_and_resuming_matches_an_uninterrupted_run_bit_for_bit(string overrides, long releaseAfter)
    {
        var trial = SyntheticSweeps.Trial("checkpoint { every-epochs = 0 }, " + overrides, epochs: 4);
        AssertMidEpochResumeIsExact(trial, Datasets.Load(trial.Dataset), releaseAfter, stepsPerEpoch: 16);
    }

    [Fact]
    public void A_convnet_with_dropout_released_within_an_epoch_resumes_its_dropout_masks_bit_for_bit()
    {
        TinyCifar.Write(_dir, perTrainFile: 16, test: 32);
        var trial = GridExpansion.Expand(SweepFile.Parse($$"""
            sweep {
              name = images
              dataset { name = cifar10, path = "{{_dir}}" }
              model { name = convnet, norm = batch, dropout = 0.3 }
              base { batch-size = 16, learning-rate = 0.01, epochs = 2 }
              metrics { every-steps = 2, flatness = [] }
              checkpoint { every-epochs = 0 }
            }
            """, "images.hocon"))[0];
        AssertMidEpochResumeIsExact(trial, Datasets.Load(trial.Dataset), releaseAfter: 7, stepsPerEpoch: 5);
    }

    private void AssertMidEpochResumeIsExact(TrialSpec trial, DatasetPair data, long releaseAfter, long stepsPerEpoch)
    {
        var path = Path.Combine(_dir, "t.ckpt");
        var whole = new Recorder();
        var expected = Trainer.Run(trial, data, whole, CancellationToken.None);

        using var release = new CancellationTokenSource();
        var first = new Recorder();
        var stopping = new TrainerOptions(CheckpointPath: path) { AfterStep = s => { if (s == releaseAfter) release.Cancel(); } };
        var released = Assert.Throws<TrialReleasedException>(() => Trainer.Run(trial, data, first, stopping, CancellationToken.None, release.Token));
        int epochsDone = (int)(releaseAfter / stepsPerEpoch);
        long stepInEpoch = releaseAfter % stepsPerEpoch;
        Assert.Equal((epochsDone, stepInEpoch, true), (released.Epoch, released.StepInEpoch, released.Checkpointed));
        var position = Position(path);
        Assert.Equal((epochsDone, stepInEpoch, releaseAfter), (position.Epoch, position.StepInEpoch, position.Steps));
        // The run stopped after the step it was taking: every point up to it, none after.
        Assert.Equal(whole.Points.Where(p => p.Step <= releaseAfter).Select(Comparable), first.Points.Select(Comparable));

        var second = new Recorder();
        var resumed = Trainer.Run(trial, data, second, new TrainerOptions(CheckpointPath: path), CancellationToken.None);
        Assert.Equal((epochsDone, stepInEpoch), (second.ResumedAfter, second.ResumedAtStep));
        Assert.Equal(epochsDone, resumed.ResumedFromEpoch);
        // The resumed run reports what the checkpoint carried (all of it here: nothing was confirmed), then its own.
        AssertSameAsUninterrupted(whole, expected, second, resumed);
    }

    [Fact]
    public void A_mid_epoch_checkpoint_whose_step_does_not_add_up_or_whose_shuffle_is_missing_is_passed_over_for_the_previous_generation()
    {
        var trial = SyntheticSweeps.Trial("checkpoint { every-epochs = 1 }", epochs: 4);
        var data = Datasets.Load(trial.Dataset);
        var path = Path.Combine(_dir, "t.ckpt");
        using var release = new CancellationTokenSource();
        Assert.Throws<TrialReleasedException>(() => Trainer.Run(trial, data, new Recorder(),
            new TrainerOptions(CheckpointPath: path) { AfterStep = s => { if (s == 37) release.Cancel(); } }, CancellationToken.None, release.Token));
        var good = CheckpointFile.Read(path);
        var position = good.Metadata.Deserialize<TrialPosition>(CheckpointFile.Json)!;
        Assert.Equal((2, 5L), (position.Epoch, position.StepInEpoch));

        // The previous generation is epoch 2's end (checkpoints every epoch); the current one is replaced in place.
        var epochTwo = File.ReadAllBytes(CheckpointFile.PreviousPath(path));
        void Replace(TrialPosition header, IEnumerable<KeyValuePair<string, byte[]>> sections)
        {
            CheckpointFile.Write(path, header, sections.Select(kv => (kv.Key, kv.Value)).ToList());
            File.WriteAllBytes(CheckpointFile.PreviousPath(path), epochTwo);
        }

        void AssertResumedFromEpochTwoSaying(string why)
        {
            var recorder = new Recorder();
            Trainer.Run(trial, data, recorder, new TrainerOptions(CheckpointPath: path), CancellationToken.None);
            Assert.Contains(recorder.Rejected, r => r.Contains(why, StringComparison.Ordinal));
            Assert.Equal((2, 0L), (recorder.ResumedAfter, recorder.ResumedAtStep));
        }

        Replace(position with { Steps = 38 }, good.Sections);
        AssertResumedFromEpochTwoSaying("steps do not add up");
        Replace(position with { StepInEpoch = 16, Steps = 48 }, good.Sections);
        AssertResumedFromEpochTwoSaying("step out of range");
        Replace(position with { StepInEpoch = -1, Steps = 31 }, good.Sections);
        AssertResumedFromEpochTwoSaying("step out of range");
        // What an older build sees of a mid-epoch checkpoint: its shuffle section is missing, so it takes the epoch's end.
        Replace(position with { StepInEpoch = 0, Steps = 37 }, good.Sections);
        AssertResumedFromEpochTwoSaying("lacks section(s) rng/shuffle");
        Replace(position, good.Sections.Where(kv => kv.Key != "rng/shuffle-at-epoch-start"));
        AssertResumedFromEpochTwoSaying("lacks section(s) rng/shuffle-at-epoch-start");
    }

    [Fact]
    public void A_release_requested_during_the_last_epoch_lets_the_trial_finish()
    {
        var trial = SyntheticSweeps.Trial("checkpoint { every-epochs = 0 }", epochs: 2);
        using var release = new CancellationTokenSource();
        var outcome = Trainer.Run(trial, Datasets.Load(trial.Dataset), new Recorder(cancelAfterEpoch: 2, release),
            new TrainerOptions(CheckpointPath: Path.Combine(_dir, "t.ckpt")), CancellationToken.None, release.Token);
        Assert.Equal(TrialStatus.Completed, outcome.Status);
        Assert.Equal(2, outcome.Final!.Epoch);
    }

    /// <summary>A 4-epoch trial's uninterrupted outcome, and its checkpoint file after a run stopped at the end of epoch 3.</summary>
    private (TrialSpec Trial, DatasetPair Data, string Path, TrialOutcome Expected) StoppedAfterEpoch3()
    {
        var trial = SyntheticSweeps.Trial(epochs: 4);
        var data = Datasets.Load(trial.Dataset);
        var path = Path.Combine(_dir, "t.ckpt");
        var expected = Trainer.Run(trial, data, new Recorder(), CancellationToken.None);
        using var cts = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() =>
            Trainer.Run(trial, data, new Recorder(cancelAfterEpoch: 3, cts), new TrainerOptions(CheckpointPath: path), cts.Token));
        return (trial, data, path, expected);
    }

    [Fact]
    public void A_damaged_checkpoint_falls_back_to_the_previous_one_or_to_epoch_1()
    {
        var (trial, data, path, expected) = StoppedAfterEpoch3();

        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0xFF;
        File.WriteAllBytes(path, bytes);
        var fromPrevious = Trainer.Run(trial, data, new Recorder(), new TrainerOptions(CheckpointPath: path), CancellationToken.None);
        // That run checkpointed epoch 3 again; damage both generations now.
        File.WriteAllBytes(path, [0]);
        File.WriteAllBytes(CheckpointFile.PreviousPath(path), [0]);
        var fromScratch = Trainer.Run(trial, data, new Recorder(), new TrainerOptions(CheckpointPath: path), CancellationToken.None);

        Assert.Equal(2, fromPrevious.ResumedFromEpoch);
        Assert.Null(fromScratch.ResumedFromEpoch);
        Assert.Equal(Timeless(expected.Final!), Timeless(fromPrevious.Final!));
        Assert.Equal(Timeless(expected.Final!), Timeless(fromScratch.Final!));
    }

    [Fact]
    public void A_checkpoint_whose_checksum_holds_but_whose_header_or_sections_are_wrong_is_damaged_too()
    {
        var (trial, data, path, expected) = StoppedAfterEpoch3();

        // Well-formed files, correctly checksummed, holding no usable position: a header of the wrong
        // shape (the good epoch-3 file becomes the previous generation), then a position without the model section.
        var good = CheckpointFile.Read(path);
        CheckpointFile.Write(path, new { trialId = 17, epoch = "three" }, [("model", [1, 2, 3])]);
        var fromPrevious = Trainer.Run(trial, data, new Recorder(), new TrainerOptions(CheckpointPath: path), CancellationToken.None);
        CheckpointFile.Write(path, good.Metadata, [("optimizer", [1]), ("rng/shuffle", [2])]);
        File.Delete(CheckpointFile.PreviousPath(path));
        var fromScratch = Trainer.Run(trial, data, new Recorder(), new TrainerOptions(CheckpointPath: path), CancellationToken.None);

        Assert.Equal(3, fromPrevious.ResumedFromEpoch);
        Assert.Null(fromScratch.ResumedFromEpoch);
        Assert.Equal(Timeless(expected.Final!), Timeless(fromPrevious.Final!));
        Assert.Equal(Timeless(expected.Final!), Timeless(fromScratch.Final!));
    }

    public static TheoryData<string> Hostile() => [.. HostileFiles.All.Keys.Where(k => k != "link to a regular file"), "random bytes", "larger than any checkpoint of the trial"];

    /// <summary>
    /// A checkpoint that would block the worker (a FIFO), never end (a link to /dev/zero), or is not one
    /// at all is refused unread, said, and the trial starts afresh: no crash, nothing charged to it.
    /// </summary>
    [Theory]
    [MemberData(nameof(Hostile))]
    public void A_checkpoint_that_is_not_a_regular_file_of_a_checkpoints_size_is_refused_said_and_the_trial_starts_afresh(string kind)
    {
        var (trial, data, path, expected) = StoppedAfterEpoch3();
        File.Delete(path);
        File.Delete(CheckpointFile.PreviousPath(path));
        switch (kind)
        {
            case "random bytes":
                File.WriteAllBytes(path, [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 37))]);
                break;
            case "larger than any checkpoint of the trial":
                using (var sparse = File.Create(path)) sparse.SetLength(3L << 30);
                break;
            default:
                HostileFiles.All[kind](path);
                break;
        }

        var recorder = new Recorder();
        var outcome = HostileFiles.Within(TimeSpan.FromMinutes(2), () =>
            Trainer.Run(trial, data, recorder, new TrainerOptions(CheckpointPath: Path.Combine(_dir, "t.ckpt.run"), EarlierCheckpoints: [path]), CancellationToken.None));

        Assert.Null(outcome.ResumedFromEpoch);
        Assert.Equal(Timeless(expected.Final!), Timeless(outcome.Final!));
        var reason = Assert.Single(recorder.Rejected);
        Assert.StartsWith(path, reason, StringComparison.Ordinal);
        Assert.Contains(kind switch
        {
            "random bytes" => "not a SweepGrid checkpoint",
            "fifo" => "refused, a FIFO",
            "directory" => "refused, a directory",
            "larger than any checkpoint of the trial" => "expected at most",
            _ => "refused, a symbolic link",
        }, reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Another_trials_checkpoint_is_not_resumed()
    {
        var path = Path.Combine(_dir, "t.ckpt");
        var other = SyntheticSweeps.Trial("grid { seed = [2] }", epochs: 4);
        using (var cts = new CancellationTokenSource())
        {
            Assert.ThrowsAny<OperationCanceledException>(() =>
                Trainer.Run(other, Datasets.Load(other.Dataset), new Recorder(cancelAfterEpoch: 2, cts), new TrainerOptions(CheckpointPath: path), cts.Token));
        }

        var trial = SyntheticSweeps.Trial(epochs: 4);
        var outcome = Trainer.Run(trial, Datasets.Load(trial.Dataset), new Recorder(), new TrainerOptions(CheckpointPath: path), CancellationToken.None);

        Assert.Null(outcome.ResumedFromEpoch);
        Assert.Equal(4, outcome.Final!.Epoch);
    }

    [Fact]
    public void With_a_store_that_keeps_up_a_checkpoint_carries_no_report_and_the_resumed_run_ends_bit_for_bit()
    {
        var trial = SyntheticSweeps.Trial("metrics { flatness = [hessian-top] }", epochs: 4);
        var data = Datasets.Load(trial.Dataset);
        var path = Path.Combine(_dir, "t.ckpt");
        var expected = Trainer.Run(trial, data, new Recorder(), CancellationToken.None);

        using var cts = new CancellationTokenSource();
        var first = new Recorder(cancelAfterEpoch: 2, cts);
        Assert.ThrowsAny<OperationCanceledException>(() =>
            Trainer.Run(trial, data, first, new TrainerOptions(CheckpointPath: path, StoredReports: () => first.Reports), cts.Token));
        var position = Position(path);
        var second = new Recorder();
        var resumed = Trainer.Run(trial, data, second, new TrainerOptions(CheckpointPath: path, StoredReports: () => second.Reports), CancellationToken.None);

        Assert.Equal((2, 0, 0, 0), (position.Epoch, position.Epochs.Count, position.Points.Count, position.Flatness.Count));
        Assert.Equal(2, position.LastEpoch!.Epoch);
        Assert.NotNull(position.Fit);
        // Only what came after the checkpoint is reported again; the fit over the whole trajectory is the uninterrupted one.
        Assert.Equal(2, resumed.ResumedFromEpoch);
        Assert.Equal([3, 4], second.Epochs.Select(e => e.Epoch));
        Assert.Equal(expected.DistanceFit, resumed.DistanceFit);
        Assert.Equal(Timeless(expected.Final!), Timeless(resumed.Final!));
    }

    [Fact]
    public void A_checkpoint_carries_exactly_the_reports_the_store_has_not_confirmed_and_the_resume_reports_them_again()
    {
        var trial = SyntheticSweeps.Trial("metrics { flatness = [hessian-top] }", epochs: 4);
        var data = Datasets.Load(trial.Dataset);
        var path = Path.Combine(_dir, "t.ckpt");
        var whole = new Recorder();
        Trainer.Run(trial, data, whole, CancellationToken.None);

        // The store lags two reports behind at the epoch-2 checkpoint: epoch 2's points and its record
        // (flatness is measured at the end only).
        var (_, position, second) = StoppedAtEpoch2WithTwoReportsUnconfirmedThenResumed(trial, data, path);

        Assert.Equal([2], position.Epochs.Select(e => e.Epoch));
        Assert.Equal(whole.Points.Where(p => p.Epoch == 2).Select(Comparable), position.Points.Select(Comparable));
        Assert.Equal([2, 3, 4], second.Epochs.Select(e => e.Epoch));
        Assert.Equal(whole.Epochs.Skip(1).Select(Timeless), second.Epochs.Select(Timeless));
    }

    [Fact]
    public void A_checkpoint_does_not_grow_with_the_trial_when_the_store_keeps_up_and_does_without_one()
    {
        var trial = SyntheticSweeps.Trial("metrics { every-steps = 1 }", epochs: 9);
        var data = Datasets.Load(trial.Dataset);
        long SizeAfter(int epoch, bool confirmed)
        {
            var path = Path.Combine(_dir, $"{epoch}-{confirmed}.ckpt");
            using var cts = new CancellationTokenSource();
            var recorder = new Recorder(cancelAfterEpoch: epoch, cts);
            Assert.ThrowsAny<OperationCanceledException>(() =>
                Trainer.Run(trial, data, recorder, new TrainerOptions(CheckpointPath: path, StoredReports: confirmed ? () => recorder.Reports : null), cts.Token));
            return new FileInfo(path).Length;
        }

        long early = SizeAfter(2, confirmed: true), late = SizeAfter(8, confirmed: true);
        Assert.InRange(late, early - 64, early + 64); // a few digits of steps and seconds apart
        Assert.True(SizeAfter(8, confirmed: false) > SizeAfter(2, confirmed: false) + 1000, "without confirmations every report is kept");
    }

    [Fact]
    public void A_checkpoint_written_before_it_carried_the_fit_sums_resumes_bit_for_bit_from_its_full_history()
    {
        var trial = SyntheticSweeps.Trial(epochs: 4);
        var data = Datasets.Load(trial.Dataset);
        var path = Path.Combine(_dir, "t.ckpt");
        var expected = Trainer.Run(trial, data, new Recorder(), CancellationToken.None);
        using (var cts = new CancellationTokenSource())
        {
            Assert.ThrowsAny<OperationCanceledException>(() =>
                Trainer.Run(trial, data, new Recorder(cancelAfterEpoch: 2, cts), new TrainerOptions(CheckpointPath: path), cts.Token));
        }

        // The older format: every report so far, no last-epoch record, no sums.
        var contents = CheckpointFile.Read(path);
        var older = Position(path) with { LastEpoch = null, Fit = null };
        Assert.Equal([1, 2], older.Epochs.Select(e => e.Epoch));
        CheckpointFile.Write(path, older, contents.Sections.Select(s => (s.Key, s.Value)).ToList());
        File.Delete(CheckpointFile.PreviousPath(path));

        var resumed = Trainer.Run(trial, data, new Recorder(), new TrainerOptions(CheckpointPath: path), CancellationToken.None);

        Assert.Equal(2, resumed.ResumedFromEpoch);
        Assert.Equal(expected.DistanceFit, resumed.DistanceFit);
        Assert.Equal(Timeless(expected.Final!), Timeless(resumed.Final!));
    }

    [Fact]
    public void An_unconfirmed_flatness_measurement_and_hessian_spectrum_ride_in_the_checkpoint_and_are_reported_again()
    {
        var trial = SyntheticSweeps.Trial("metrics { flatness = [hessian-top], flatness-epochs = [2] }", epochs: 4);
        var data = Datasets.Load(trial.Dataset);
        var path = Path.Combine(_dir, "t.ckpt");

        // At the epoch-2 checkpoint the store has not confirmed the epoch's last two reports: its hessian-top and spectrum.
        var (first, position, second) = StoppedAtEpoch2WithTwoReportsUnconfirmedThenResumed(trial, data, path);

        Assert.Equal([], position.Epochs);
        Assert.Equal([(2, "hessian-top")], position.Flatness.Select(f => (f.Epoch, f.Metric)));
        var carried = Assert.Single(position.Spectra!);
        Assert.Equal(first.Spectra.Single().Nodes, carried.Nodes);
        Assert.Equal([2, 4], second.Spectra.Select(s => s.Epoch)); // epoch 2's again, then the end's
        Assert.Equal(first.Spectra.Single().Nodes, second.Spectra[0].Nodes);
    }
}
