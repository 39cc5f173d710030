using TorchSharp;
using static TorchSharp.torch;

namespace SweepGrid.Training.Loop;

/// <summary>
/// A trial's final parameters and buffers (module.save format), kept so that two finished trials can
/// be compared later (cross-trial interpolation). Written to a temporary file and renamed, so a crash
/// never leaves a half-written file under the real name. The temporary name is the writer's own: an
/// attempt abandoned when its coordinator died can still be finishing while its successor finishes
/// elsewhere, and with one shared name the first rename would take the other's half-written file and
/// the second rename fail, charging the trial.
/// </summary>
public static class FinalWeights
{
    /// <summary>The bytes of a model's parameters and buffers: what a weights file (or a checkpoint's model section) holds, framing aside.</summary>
    public static long StateBytes(nn.Module model) => model.state_dict().Values.Sum(t => t.NumberOfElements * t.ElementSize);

    public static void Save(nn.Module model, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temp = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            model.save(temp);
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }
}
