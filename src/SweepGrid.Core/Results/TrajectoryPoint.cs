namespace SweepGrid.Core.Results;

/// <summary>
/// The walk of the weights at one update (Hoffer et al. 2017, §3; Xing et al. 2018): the mini-batch
/// loss and gradient norm at step <see cref="Step"/>, ‖w_t − w_0‖ over all weights and per layer
/// (parameter tensor), the length ‖w_{t+1} − w_t‖ of the step just taken, and the path length, the
/// sum of every step's length so far (NaN unless metrics.path-length is on). Every
/// metrics.eval-every-steps updates the point also carries the loss and accuracy on the full test set
/// (batch norm in eval mode), the evaluations that steps to target are read from; NaN elsewhere.
/// </summary>
public sealed record TrajectoryPoint(
    long Step,
    int Epoch,
    double LearningRate,
    double BatchLoss,
    double GradientNorm,
    double WeightDistance,
    double StepLength,
    double PathLength,
    IReadOnlyDictionary<string, double> LayerDistances,
    double TestLoss = double.NaN,
    double TestAccuracy = double.NaN);
