namespace SweepGrid.Cli;

/// <summary>Process exit codes: scripts and CI rely on these.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>Anything else: a failed or cancelled trial, a crash, an unreachable store.</summary>
    public const int Failure = 1;

    /// <summary>Bad input: a sweep file, dataset or argument that must be fixed; nothing was written.</summary>
    public const int BadInput = 2;

    /// <summary>A sweep followed to its end: success only if every trial has a result (none failed, none cancelled).</summary>
    public static int Of(Core.Scheduling.TrialCounts final) => final.Failed > 0 || final.Cancelled > 0 ? Failure : Success;
}
