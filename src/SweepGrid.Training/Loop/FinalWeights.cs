using TorchSharp;
using static TorchSharp.torch;

namespace SweepGrid.Training.Loop;

/// <summary>
/// A trial's final parameters and buffers (module.save format), kept so that two finished trials can
/// be compared later (cross-trial interpolation). Written to a temporary file and renamed, so a crash
/// never leaves a half-written file under the real name.
/// </summary>
public static class FinalWeights
{
    public static void Save(nn.Module model, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temp = path + ".tmp";
        model.save(temp);
        File.Move(temp, path, overwrite: true);
    }
}
