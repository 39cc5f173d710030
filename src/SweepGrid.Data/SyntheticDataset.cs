using SweepGrid.Core.Sweeps;

namespace SweepGrid.Data;

/// <summary>
/// A Gaussian mixture for fast tests: one random centre per class in feature space, samples drawn
/// around it with unit noise. Centres are spread so the classes overlap a little, which keeps the
/// task learnable but not trivial. Fixed data seed: every trial of a sweep sees the same data.
/// </summary>
public static class SyntheticDataset
{
    private const int DataSeed = 20170524;
    private const double CentreScale = 0.6;

    public static DatasetFacts Facts(SyntheticSpec spec) => new(spec.TrainSize, spec.TestSize, spec.Features, spec.Classes);

    public static DatasetPair Generate(SyntheticSpec spec)
    {
        var random = new Random(DataSeed);
        var centres = new double[spec.Classes * spec.Features];
        for (int i = 0; i < centres.Length; i++) centres[i] = Gaussian(random) * CentreScale;
        return new DatasetPair(Sample(spec, spec.TrainSize, centres, random), Sample(spec, spec.TestSize, centres, random));
    }

    private static LabeledData Sample(SyntheticSpec spec, int count, double[] centres, Random random)
    {
        var features = new float[count * spec.Features];
        var labels = new long[count];
        for (int n = 0; n < count; n++)
        {
            int label = random.Next(spec.Classes);
            labels[n] = label;
            for (int f = 0; f < spec.Features; f++)
            {
                features[n * spec.Features + f] = (float)(centres[label * spec.Features + f] + Gaussian(random));
            }
        }

        return new LabeledData(features, labels, spec.Features, spec.Classes);
    }

    /// <summary>Box–Muller: a standard normal sample from two uniforms.</summary>
    private static double Gaussian(Random random)
    {
        double u1 = 1.0 - random.NextDouble();
        double u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
