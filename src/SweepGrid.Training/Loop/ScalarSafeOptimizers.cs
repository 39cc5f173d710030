using TorchSharp;
using static TorchSharp.torch;

namespace SweepGrid.Training.Loop.ScalarSafe;

// TorchSharp 0.107's SGD and Adam steps pass implicit Scalars (alpha: −lr, mul_(momentum), value: −step)
// that nothing keeps alive through the native call (Runtime.Scalars says why that fails). A CI run's
// worker failed that way in SGD.step, and the trial was charged for it. These subclasses take the same
// step with Scalars held until the step ends: the same kernels in the same order, so results are
// bit-identical to TorchSharp's, and the state (momentum buffers, Adam's moments) and its checkpoint
// format are TorchSharp's own (save_state_dict/load_state_dict are inherited). The classes are named SGD
// and Adam because that format begins with the optimizer's type name and refuses another on loading:
// checkpoints written before these classes existed, and after, read the same.

/// <summary>torch.optim.SGD's step (PyTorch's formulation: v ← μv + (1 − dampening)g, Nesterov g + μv), Scalars kept alive.</summary>
internal sealed class SGD(IEnumerable<TorchSharp.Modules.Parameter> parameters, double lr, double momentum, double weightDecay, bool nesterov)
    : TorchSharp.Modules.SGD(parameters, lr, momentum, dampening: 0, weight_decay: weightDecay, nesterov: nesterov)
{
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var o = group.Options;
        double momentum = o.momentum!.Value, weightDecay = o.weight_decay!.Value, lr = o.LearningRate!.Value;
        using var decay = weightDecay.ToScalar();
        using var keep = momentum.ToScalar();
        using var take = (1 - o.dampening!.Value).ToScalar();
        using var rate = (o.maximize!.Value ? lr : -lr).ToScalar();
        foreach (var param in group.Parameters)
        {
            var grad = param.grad;
            if (grad is null) continue;
            if (weightDecay != 0) grad = grad.add(param, decay);
            if (momentum != 0)
            {
                var state = (State)_state[param.Handle];
                var buffer = state.momentum_buffer;
                if (buffer is null) state.momentum_buffer = buffer = grad.clone().detach().DetachFromDisposeScope();
                else buffer.mul_(keep).add_(grad, take);
                grad = o.nesterov!.Value ? grad.add(buffer, keep) : buffer;
            }

            param.add_(grad, rate);
        }
    }, closure);
}

/// <summary>torch.optim.Adam's step (Kingma and Ba 2015, Algorithm 1, with PyTorch's ε outside the bias-corrected root), Scalars kept alive.</summary>
internal sealed class Adam(IEnumerable<TorchSharp.Modules.Parameter> parameters, double lr, double beta1, double beta2, double eps, double weightDecay)
    : TorchSharp.Modules.Adam(parameters, lr, beta1, beta2, eps, weightDecay)
{
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var o = group.Options;
        if (o.amsgrad!.Value || o.maximize!.Value) throw new NotSupportedException("amsgrad and maximize are not SweepGrid options");
        double beta1 = o.beta1!.Value, beta2 = o.beta2!.Value, weightDecay = o.weight_decay!.Value, lr = o.LearningRate!.Value;
        using var decay = weightDecay.ToScalar();
        using var b1 = beta1.ToScalar();
        using var rest1 = (1 - beta1).ToScalar();
        using var b2 = beta2.ToScalar();
        using var rest2 = (1 - beta2).ToScalar();
        using var eps = o.eps!.Value.ToScalar();
        using var one = 1.ToScalar();
        foreach (var param in group.Parameters)
        {
            var grad = param.grad;
            if (grad is null) continue;
            var state = (State)_state[param.Handle];
            state.step += 1;
            double correction1 = 1 - Math.Pow(beta1, state.step);
            double correction2 = 1 - Math.Pow(beta2, state.step);
            if (weightDecay != 0) grad = grad.add(param, decay);
            state.exp_avg.mul_(b1).add_(grad, rest1);
            state.exp_avg_sq.mul_(b2).addcmul_(grad, grad.conj(), rest2);
            using var root = Math.Sqrt(correction2).ToScalar();
            using var stepSize = (-(lr / correction1)).ToScalar();
            var denominator = state.exp_avg_sq.sqrt().div(root).add_(eps, one);
            param.addcdiv_(state.exp_avg, denominator, stepSize);
        }
    }, closure);
}
