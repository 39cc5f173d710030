using SweepGrid.Training.Runtime;

namespace SweepGrid.Cli.Commands;

/// <summary>--slots and --device, checked before anything starts (see <see cref="SlotDevices.Plan"/>).</summary>
internal static class SlotPlan
{
    /// <exception cref="UserError">A device this machine lacks, or a slot count below 1.</exception>
    public static IReadOnlyList<string> Devices(int? slots, string? device, int cpuDefault)
    {
        try
        {
            return SlotDevices.Plan(slots, device, SlotDevices.CudaDevices(), cpuDefault);
        }
        catch (ArgumentException e)
        {
            throw new UserError(e.Message);
        }
    }

    /// <summary>"2 slot(s)" on CPU, "4 slot(s) on cuda:0, cuda:1, cuda:0, cuda:1" on GPUs.</summary>
    public static string Describe(IReadOnlyList<string> devices) =>
        devices.All(d => d == "cpu") ? $"{devices.Count} slot(s)" : $"{devices.Count} slot(s) on {string.Join(", ", devices)}";
}
