using SweepGrid.Core.Results;
using SweepGrid.Core.Sweeps;
using SweepGrid.Core.Trials;
using SweepGrid.Data;
using SweepGrid.Training.Metrics;
using SweepGrid.Training.Models;
using SweepGrid.Training.Regularization;
using SweepGrid.Training.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace SweepGrid.Training.Loop;

/// <summary>Everything one trial holds on the device, disposed together, and its training step.</summary>
internal sealed partial class TrainingSession : IDisposable
{
    // torch.manual_seed and module initialization use torch's process-wide generator; two slots in
    // one process must not interleave there, or their initial weights would depend on timing.
    private static readonly Lock InitLock = new();

    private readonly TrialSpec _trial;
    private readonly TrainerOptions _options;
    private readonly nn.Module<Tensor, Tensor> _model;
    private readonly Tensor[] _initial;
    private readonly Tensor _trainX, _trainY, _testX, _testY;
    private readonly optim.Optimizer _optimizer;
    private readonly IGradientRule _gradient;
    private readonly Generator _shuffle;
    // The shuffle generator's state before the current epoch's permutation: what a mid-epoch checkpoint
    // stores, so the resumed epoch draws the same order (TrainingSession.Checkpoint).
    private byte[]? _epochShuffle;
    private readonly Device _device;
    private readonly (string Name, Tensor Parameter)[] _named;
    private readonly Tensor[] _previous;
    private readonly Tensor _pathLength;
    private readonly Tensor _lastStepLength;
    private readonly List<TrajectoryPoint> _points = [];
    private readonly List<WalkRecord> _walks = [];
    private readonly Tensor _probeX, _probeY;
    private long _steps;

    public TrainingSession(TrialSpec trial, DatasetPair data, Device device, TrainerOptions options)
    {
        _trial = trial;
        _options = options;
        _device = device;
        lock (InitLock)
        {
            random.manual_seed(trial.Seed);
            _model = ModelFactory.Create(trial, data.Train.Shape, data.Train.ClassCount);
        }

        _model.to(device);
        if (!trial.FullBatch && trial.ChunkSize > 0)
        {
            // Micro-batches: batch norm's running statistics follow the step's batch, not each micro-batch
            // (full-batch chunks keep their own behaviour, so earlier full-batch results stay as they were).
            foreach (var norm in _model.modules().OfType<GhostBatchNorm>()) norm.StepBatchSize = trial.BatchSize;
        }

        _initial = _model.parameters().Select(p => p.detach().clone()).ToArray();
        (_trainX, _trainY) = ToDevice(data.Train, device);
        (_testX, _testY) = ToDevice(data.Test, device);
        _optimizer = CreateOptimizer(trial, _model);
        _gradient = GradientRules.For(trial, _model);
        _shuffle = new Generator((ulong)trial.Seed);
        _named = _model.named_parameters().Select(np => (np.name, (Tensor)np.parameter)).ToArray();
        _previous = _named.Select(np => np.Parameter.detach().clone()).ToArray();
        _pathLength = zeros(1, dtype: float64, device: device);
        _lastStepLength = zeros(1, dtype: float64, device: device);
        long probe = Math.Min(Metrics.ProbeSize, _trainY.shape[0]);
        _probeX = _trainX.narrow(0, 0, probe);
        _probeY = _trainY.narrow(0, 0, probe);
    }

    private MetricsSpec Metrics => _trial.MetricsOrDefault;

    /// <summary>The points recorded since the last call, oldest first.</summary>
    public IReadOnlyList<TrajectoryPoint> TakePoints()
    {
        var points = _points.ToList();
        _points.Clear();
        return points;
    }

    /// <summary>The iterate interpolations recorded since the last call, oldest first.</summary>
    public IReadOnlyList<WalkRecord> TakeWalks()
    {
        var walks = _walks.ToList();
        _walks.Clear();
        return walks;
    }

    /// <summary>The flatness metrics of the sweep file at the current weights (FlatnessSuite).</summary>
    public IReadOnlyList<FlatnessRecord> MeasureFlatness(int epoch) => MeasureFlatness(epoch, out _);

    /// <param name="spectrum">The Hessian's Lanczos nodes, when the suite measured them (hessian.method = lanczos).</param>
    public IReadOnlyList<FlatnessRecord> MeasureFlatness(int epoch, out SpectrumRecord? spectrum) =>
        FlatnessSuite.Measure(_model, _probeX, _probeY, Metrics, epoch, seed: _trial.Seed * 7919L + epoch, out spectrum, (_trainX, _trainY));

    /// <summary>The Hessian the flatness suite measures (probe loss, eval mode), for benchmarks; the model is left in eval mode.</summary>
    internal HessianOperator ProbeHessian() => FlatnessSuite.ProbeHessian(_model, _probeX, _probeY);

    public long StepsPerEpoch => _trainY.shape[0] / _trial.BatchSize;

    /// <summary>
    /// torch's SGD or Adam, stepped with their Scalars kept alive (ScalarSafeOptimizers.cs).
    /// The L2 term is the optimizer's fixed weight decay plus, for the weight-decay regularizer, the
    /// trial's strength (coupled L2, as torch's SGD and Adam apply it).
    /// </summary>
    private static optim.Optimizer CreateOptimizer(TrialSpec trial, nn.Module<Tensor, Tensor> model)
    {
        var o = trial.Optimizer;
        double weightDecay = o.WeightDecay + (trial.Regularizer == "weight-decay" ? trial.RegularizerStrength : 0);
        return o.Name switch
        {
            "sgd" => new ScalarSafe.SGD(model.parameters(), trial.LearningRate, o.Momentum, weightDecay, o.Nesterov),
            "adam" => new ScalarSafe.Adam(model.parameters(), trial.LearningRate, o.Beta1, o.Beta2, o.Epsilon, weightDecay),
            _ => throw new ArgumentException($"unknown optimizer \"{o.Name}\""),
        };
    }

    /// <summary>How a call of <see cref="TrainEpoch"/> ended.</summary>
    /// <param name="Steps">Updates this call took.</param>
    /// <param name="DivergedAt">The mini-batch loss that left the bounds, if one did (the epoch stops there).</param>
    /// <param name="StoppedAt">The step within the epoch (1 … steps − 1) before which a release stopped it; null if it ran to the end.</param>
    public sealed record EpochRun(long Steps, double? DivergedAt = null, long? StoppedAt = null);

    /// <summary>
    /// One pass over a fresh seeded permutation of the training set. The last incomplete batch is
    /// dropped, so every step sees exactly B samples (ghost batches always divide it). A full-batch
    /// trial makes one step over the whole training set, its gradient accumulated in chunks.
    /// </summary>
    /// <param name="release">Checked after every step but the epoch's last: when set, the epoch stops there
    /// (<see cref="EpochRun.StoppedAt"/>) and the session is ready for a mid-epoch checkpoint.</param>
    /// <param name="from">The step within the epoch to start at: a mid-epoch checkpoint's, with the
    /// shuffle generator restored to its state before the epoch's permutation (so the same one is drawn).</param>
    public EpochRun TrainEpoch(CancellationToken ct, CancellationToken release = default, long from = 0)
    {
        _model.train();
        if (_trial.FullBatch)
        {
            var full = Step(new Batch(_trainX, _trainY, _trial.ChunkSize), 0, 1, ct);
            return new EpochRun(1, full?.DivergedAt);
        }

        long n = _trainY.shape[0];
        int batch = _trial.BatchSize;
        long steps = StepsPerEpoch;
        int micro = _trial.ChunkSize; // training.micro-batch; 0: whole batches
        _epochShuffle = GeneratorBytes(_shuffle);
        using var order = randperm(n, generator: _shuffle, device: CPU).to(_device);
        for (long s = from; s < steps; s++)
        {
            using (NewDisposeScope())
            {
                var index = order.narrow(0, s * batch, batch);
                if (Step(new Batch(_trainX.index_select(0, index), _trainY.index_select(0, index), micro), s, steps, ct) is { } diverged)
                {
                    return new EpochRun(diverged.Steps - from, diverged.DivergedAt);
                }
            }

            _options.AfterStep?.Invoke(_steps);
            if (s + 1 < steps && release.IsCancellationRequested) return new EpochRun(s + 1 - from, StoppedAt: s + 1);
        }

        return new EpochRun(steps - from);
    }

    /// <summary>One optimizer step; a result only if the loss left the bounds (steps done, loss).</summary>
    private (long Steps, double? DivergedAt)? Step(Batch batch, long s, long steps, CancellationToken ct)
    {
        double lr = SetLearningRate();
        _optimizer.zero_grad();
        var loss = _gradient.Backward(_model, batch, lr);
        // Reading a value forces a device sync, so the gradient norm, the loss and the point are
        // taken only every few steps and at the end of the epoch.
        bool evaluate = Metrics.EvalEverySteps > 0 && (_steps + 1) % Metrics.EvalEverySteps == 0;
        bool sample = (_steps + 1) % _trial.MetricsEverySteps == 0 || s == steps - 1 || evaluate;
        double gradientNorm = double.NaN;
        if (_trial.Optimizer.ClipNorm > 0) gradientNorm = nn.utils.clip_grad_norm_(_model.parameters(), _trial.Optimizer.ClipNorm);
        else if (sample) gradientNorm = GradientRules.Norm(_model.parameters().Where(p => p.grad is not null).Select(p => p.grad!));
        // Step length (and the walk) need the weights before the step: every step for the path length,
        // else only the steps that are measured.
        bool walk = Metrics.WalkEverySteps > 0 && (_steps + 1) % Metrics.WalkEverySteps == 0;
        bool measureStep = Metrics.PathLength || sample || walk;
        if (measureStep && !Metrics.PathLength) CopyWeights();
        _optimizer.step();
        _steps++;
        if (walk) _walks.Add(Walk());
        if (measureStep) TrackStepLength();
        if (sample)
        {
            double value = loss.item<float>();
            bool diverged = !double.IsFinite(value) || value > _trial.MaxLoss;
            var point = Point(lr, value, gradientNorm);
            _points.Add(evaluate && !diverged ? WithTestEvaluation(point) : point);
            if (diverged) return (s + 1, value);
            ct.ThrowIfCancellationRequested();
        }

        return null;
    }

    /// <summary>
    /// The point with the full test set's loss and accuracy at w_{t+1}, batch norm in eval mode as at an
    /// epoch's end. Evaluation draws no random numbers and leaves the running statistics alone (eval
    /// mode), so training goes on exactly as without it.
    /// </summary>
    private TrajectoryPoint WithTestEvaluation(TrajectoryPoint point)
    {
        _model.eval();
        try
        {
            var (loss, accuracy) = LossAndAccuracy(_testX, _testY);
            return point with { TestLoss = loss, TestAccuracy = accuracy };
        }
        finally
        {
            _model.train();
        }
    }

    /// <summary>
    /// Loss on θ_t + α(θ_{t+1} − θ_t) over the α grid, on the probe with batch norm in eval mode
    /// (running statistics as they are after the step; only the parameters are interpolated).
    /// _previous holds θ_t here; the parameters, θ_{t+1}, are restored afterwards.
    /// </summary>
    private WalkRecord Walk()
    {
        var alphas = WalkRecord.Grid(Metrics.WalkPoints);
        var losses = new List<double>(alphas.Count);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var next = _named.Select(np => np.Parameter.detach().clone()).ToArray();
        _model.eval();
        try
        {
            foreach (var alpha in alphas)
            {
                for (int i = 0; i < _named.Length; i++) _named[i].Parameter.copy_(_previous[i].Plus((next[i] - _previous[i]).Times(alpha)));
                losses.Add(nn.functional.cross_entropy(_model.forward(_probeX), _probeY).item<float>());
            }
        }
        finally
        {
            for (int i = 0; i < _named.Length; i++) _named[i].Parameter.copy_(next[i]);
            _model.train();
        }

        return new WalkRecord(_steps, alphas, losses);
    }

    private void CopyWeights()
    {
        using var noGrad = no_grad();
        for (int i = 0; i < _named.Length; i++) _previous[i].copy_(_named[i].Parameter);
    }

    /// <summary>
    /// ‖w_{t+1} − w_t‖ of the step just taken, added to the path length on the device (no sync): one
    /// fused distance and one copy per parameter tensor. With path length on, every step; after it,
    /// _previous holds w_{t+1} for the next one.
    /// </summary>
    private void TrackStepLength()
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var squared = zeros(1, dtype: float64, device: _device);
        for (int i = 0; i < _named.Length; i++)
        {
            squared.PlusInPlace(_named[i].Parameter.dist(_previous[i]).to_type(float64).Squared());
            _previous[i].copy_(_named[i].Parameter);
        }

        _lastStepLength.copy_(squared.sqrt());
        _pathLength.PlusInPlace(_lastStepLength);
    }

    private TrajectoryPoint Point(double lr, double batchLoss, double gradientNorm)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var layers = new Dictionary<string, double>(_named.Length);
        double total = 0;
        for (int i = 0; i < _named.Length; i++)
        {
            double squared = (_named[i].Parameter - _initial[i]).to_type(float64).Squared().sum().item<double>();
            layers[_named[i].Name] = Math.Sqrt(squared);
            total += squared;
        }

        int epoch = (int)((_steps - 1) / Math.Max(1, StepsPerEpoch)) + 1;
        return new TrajectoryPoint(_steps, epoch, lr, batchLoss, gradientNorm, Math.Sqrt(total),
            _lastStepLength.item<double>(), Metrics.PathLength ? _pathLength.item<double>() : double.NaN, layers);
    }

    /// <summary>The scheduled learning rate for the coming step (Core's <see cref="LearningRateSchedule"/>).</summary>
    private double SetLearningRate()
    {
        double epochsDone = (double)_steps / StepsPerEpoch;
        double lr = _trial.LearningRate * LearningRateSchedule.Factor(_trial.Schedule, _trial.Epochs, epochsDone);
        foreach (var group in _optimizer.ParamGroups) group.LearningRate = lr;
        return lr;
    }

    public double CurrentLearningRate => _optimizer.ParamGroups.First().LearningRate;

    public EpochRecord Evaluate(int epoch, long step, double seconds)
    {
        _model.eval();
        var (trainLoss, trainAcc) = LossAndAccuracy(_trainX, _trainY);
        var (testLoss, testAcc) = LossAndAccuracy(_testX, _testY);
        return new EpochRecord(epoch, step, CurrentLearningRate, trainLoss, trainAcc, testLoss, testAcc,
            WeightDistance(), seconds);
    }

    /// <summary>‖w‖ over all parameters concatenated.</summary>
    public double ParameterNorm()
    {
        using var scope = NewDisposeScope();
        var squared = _model.parameters().Aggregate(zeros(1, dtype: float64, device: _device), (acc, p) => acc.Plus(p.detach().to_type(float64).Squared().sum()));
        return Math.Sqrt(squared.item<double>());
    }

    /// <summary>‖w_t − w_0‖ over all parameters concatenated (Hoffer et al. 2017, §3).</summary>
    private double WeightDistance()
    {
        using var scope = NewDisposeScope();
        var squared = zeros(1, dtype: float64, device: _device);
        foreach (var (p, p0) in _model.parameters().Zip(_initial))
        {
            squared = squared.Plus((p.detach() - p0).to_type(float64).Squared().sum());
        }

        return Math.Sqrt(squared.item<double>());
    }

    private (double Loss, double Accuracy) LossAndAccuracy(Tensor x, Tensor y) =>
        Loop.Evaluation.LossAndAccuracy(_model, x, y, Loop.Evaluation.BatchFor(_trial.Model, _trial.BatchSize, _options.EvalBatchSize));

    public void SaveWeights(string path) => FinalWeights.Save(_model, path);

    internal static (Tensor X, Tensor Y) ToDevice(LabeledData data, Device device)
    {
        var x = tensor(data.Features, [data.Count, .. data.Shape.Select(d => (long)d)], device: device);
        var y = tensor(data.Labels, device: device);
        return (x, y);
    }

    public void Dispose()
    {
        _optimizer.Dispose();
        _model.Dispose();
        foreach (var t in _initial) t.Dispose();
        _trainX.Dispose();
        _trainY.Dispose();
        _testX.Dispose();
        _testY.Dispose();
        _shuffle.Dispose();
        foreach (var t in _previous) t.Dispose();
        _pathLength.Dispose();
        _lastStepLength.Dispose();
    }
}
