namespace SweepGrid.Store.Tests;

/// <summary>
/// The store's shape is checked before SQLite opens anything: a FIFO in place of results.db hung every
/// command that read it, and a folder or another program's file made it fail with exit 1 and SQLite's words.
/// </summary>
public sealed class StoreLocationCheckTests : TempDirectoryTest
{
    private string Store => Path.Combine(Dir, "store");

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var file in new[] { ResultsStore.FileName, StoreLocation.JournalFile })
        {
            data.Add(file, "fifo");
            data.Add(file, "directory");
            data.Add(file, "link to /dev/zero");
            data.Add(file, "random bytes");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_database_file_that_is_not_one_is_refused_naming_it(string file, string kind)
    {
        Directory.CreateDirectory(Store);
        var path = Path.Combine(Store, file);
        if (kind == "random bytes") File.WriteAllBytes(path, [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 7 + 3))]);
        else HostileFiles.All[kind](path);

        var e = HostileFiles.Within(TimeSpan.FromSeconds(10), () => Assert.Throws<StoreSettingsException>(() => new StoreLocation(Store).Check()));

        Assert.StartsWith($"store {Store}: {file}", e.Message, StringComparison.Ordinal);
        Assert.Contains(kind switch
        {
            "fifo" => "a FIFO (named pipe), not a database file",
            "directory" => "is a folder, not a database file",
            "link to /dev/zero" => "a symbolic link, not a database file",
            _ => "is not an SQLite database",
        }, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_store_that_is_a_file_is_refused_and_a_new_or_real_store_passes()
    {
        File.WriteAllText(Store, "x");
        Assert.Equal($"store {Store}: is a file, not a folder", Assert.Throws<StoreSettingsException>(() => new StoreLocation(Store).Check()).Message);

        File.Delete(Store);
        new StoreLocation(Store).Check(); // not there yet
        var real = new StoreLocation(Store);
        Directory.CreateDirectory(Store);
        File.WriteAllBytes(Path.Combine(Store, StoreLocation.JournalFile), []); // SQLite makes an empty file a database
        real.OpenResults().EnsureSchema();
        real.PrepareJournal();
        real.Check();
        Assert.True(new FileInfo(Path.Combine(Store, ResultsStore.FileName)).Length > 0);
    }
}
