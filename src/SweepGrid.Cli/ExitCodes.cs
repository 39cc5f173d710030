namespace SweepGrid.Cli;

/// <summary>Process exit codes: scripts and CI rely on these.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>Anything else: a failed trial, a crash, an unreachable store.</summary>
    public const int Failure = 1;

    /// <summary>Bad input: a sweep file, dataset or argument that must be fixed; nothing was written.</summary>
    public const int BadInput = 2;
}
