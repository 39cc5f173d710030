namespace SweepGrid.Data;

/// <summary>A dataset file that is missing, corrupt or truncated. The message names the file and the problem.</summary>
public sealed class DataFormatException(string path, string problem) : Exception($"{path}: {problem}")
{
    public string FilePath { get; } = path;

    public string Problem { get; } = problem;
}
