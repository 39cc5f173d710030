using SweepGrid.Store;

namespace SweepGrid.Cli.Commands;

/// <summary>The store a command reads or writes: the --store folder, and PostgreSQL when the environment names it.</summary>
internal static class Stores
{
    /// <exception cref="UserError">The PostgreSQL settings in the environment are not usable, or the folder is not a store (<see cref="StoreLocation.Check"/>).</exception>
    public static StoreLocation Location(string directory)
    {
        try
        {
            var location = StoreLocation.FromEnvironment(directory);
            location.Check();
            return location;
        }
        catch (StoreSettingsException e)
        {
            throw new UserError(e.Message);
        }
    }

    public static ResultsStore Results(string directory) => Location(directory).OpenResults();

    /// <summary>
    /// The store for a command that only reads: opened read-only and checked to be SweepGrid's before
    /// anything is read, so that pointed at another program's database it changes nothing and says so.
    /// A store an earlier SweepGrid wrote is brought up to date first (its missing columns added, as
    /// any writing command would), since its results would otherwise be unreadable.
    /// </summary>
    /// <exception cref="UserError">Not a SweepGrid store.</exception>
    public static ResultsStore ReadOnly(string directory)
    {
        var location = Location(directory);
        var store = location.OpenResults(readOnly: true);
        if (!store.Exists) return store;
        try
        {
            try
            {
                store.EnsureSchema();
            }
            catch (StoreFormatException e) when (e.Upgradable)
            {
                location.OpenResults().EnsureSchema();
                store = location.OpenResults(readOnly: true);
                store.EnsureSchema();
            }
        }
        catch (StoreFormatException e)
        {
            throw new UserError(e.Message);
        }

        return store;
    }
}
