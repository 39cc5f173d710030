using SweepGrid.Cluster.Hosting;
using SweepGrid.Cluster.Results;

namespace SweepGrid.Cli.Commands;

/// <summary>The store a command reads or writes: the --store folder, and PostgreSQL when the environment names it.</summary>
internal static class Stores
{
    /// <exception cref="UserError">The PostgreSQL settings in the environment are not usable.</exception>
    public static StoreLocation Location(string directory)
    {
        try
        {
            return StoreLocation.FromEnvironment(directory);
        }
        catch (StoreSettingsException e)
        {
            throw new UserError(e.Message);
        }
    }

    public static ResultsStore Results(string directory) => Location(directory).OpenResults();
}
