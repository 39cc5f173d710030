using SweepGrid.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace SweepGrid.Bench;

/// <summary>The same network and step written directly against TorchSharp, as its examples do.</summary>
internal sealed class BareLoop : IDisposable
{
    private readonly Tensor _x;
    private readonly Tensor _y;
    private readonly int _batch;
    private readonly nn.Module<Tensor, Tensor> _model;
    private readonly optim.Optimizer _optimizer;

    public BareLoop(LabeledData data, int batch)
    {
        _batch = batch;
        _x = tensor(data.Features, [data.Count, data.FeatureCount]);
        _y = tensor(data.Labels);
        random.manual_seed(1);
        _model = nn.Sequential(
            nn.Linear(data.FeatureCount, 512, hasBias: false), nn.BatchNorm1d(512), nn.ReLU(),
            nn.Linear(512, 512, hasBias: false), nn.BatchNorm1d(512), nn.ReLU(),
            nn.Linear(512, data.ClassCount));
        // TorchSharp's own SGD: the baseline is the loop a TorchSharp user writes (SG0001: SweepGrid's
        // trials step with Loop.ScalarSafe.SGD, the same kernels).
#pragma warning disable SG0001
        _optimizer = optim.SGD(_model.parameters(), 0.01, momentum: 0.9);
#pragma warning restore SG0001
    }

    public void Epoch()
    {
        _model.train();
        long n = _y.shape[0];
        using var order = randperm(n);
        for (long start = 0; start + _batch <= n; start += _batch)
        {
            using var scope = NewDisposeScope();
            var index = order.narrow(0, start, _batch);
            var loss = nn.functional.cross_entropy(_model.forward(_x.index_select(0, index)), _y.index_select(0, index));
            _optimizer.zero_grad();
            loss.backward();
            _optimizer.step();
        }
    }

    /// <summary>
    /// What SweepGrid does after each epoch besides training, written as plainly: the loss and
    /// accuracy over the whole training set and <paramref name="test"/>, in eval mode, 4096 a pass.
    /// </summary>
    public void Evaluate(LabeledData test)
    {
        _model.eval();
        using var noGrad = no_grad();
        using var testX = tensor(test.Features, [test.Count, test.FeatureCount]);
        using var testY = tensor(test.Labels);
        foreach (var (x, y) in new[] { (_x, _y), (testX, testY) })
        {
            long n = y.shape[0];
            for (long start = 0; start < n; start += 4096)
            {
                using var scope = NewDisposeScope();
                long count = Math.Min(4096, n - start);
                var logits = _model.forward(x.narrow(0, start, count));
                _ = nn.functional.cross_entropy(logits, y.narrow(0, start, count)).item<float>();
                _ = logits.argmax(1).eq(y.narrow(0, start, count)).sum().item<long>();
            }
        }
    }

    public void Dispose()
    {
        _optimizer.Dispose();
        _model.Dispose();
        _x.Dispose();
        _y.Dispose();
    }
}
