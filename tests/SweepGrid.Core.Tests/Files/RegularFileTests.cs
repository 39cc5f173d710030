using SweepGrid.Core.Files;
using SweepGrid.Tests.Shared;

namespace SweepGrid.Core.Tests.Files;

public sealed class RegularFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sweepgrid-regular-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<string> Kinds() => [.. HostileFiles.All.Keys];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Anything_but_a_regular_file_is_refused_at_once_saying_what_it_is(string kind)
    {
        var path = Path.Combine(_dir, "file");
        HostileFiles.All[kind](path);

        var refused = HostileFiles.Within(TimeSpan.FromSeconds(10), () => Record.Exception(() => RegularFile.ReadAllBytes(path, 1 << 20)));

        var e = Assert.IsType<RefusedFileException>(refused);
        Assert.Equal(path, e.Path);
        Assert.StartsWith($"{path}: refused, ", e.Message, StringComparison.Ordinal);
        Assert.Contains(kind.StartsWith("link", StringComparison.Ordinal) ? "symbolic link" : kind == "fifo" ? "FIFO" : "directory", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_regular_file_is_read_whole_up_to_the_cap_and_refused_above_it()
    {
        var path = Path.Combine(_dir, "data");
        File.WriteAllBytes(path, [1, 2, 3, 4, 5]);

        Assert.Equal([1, 2, 3, 4, 5], RegularFile.ReadAllBytes(path, 5));
        var e = Assert.Throws<RefusedFileException>(() => RegularFile.ReadAllBytes(path, 4));
        Assert.Contains("5 bytes, more than the 4 expected at most", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_is_not_found_not_refused()
    {
        Assert.Throws<FileNotFoundException>(() => RegularFile.OpenRead(Path.Combine(_dir, "absent")));
        Assert.Throws<FileNotFoundException>(() => RegularFile.OpenRead(Path.Combine(_dir, "absent", "below")));
    }

    [Fact]
    public void A_file_opened_is_shared_with_its_writer_and_reads_what_is_appended()
    {
        var path = Path.Combine(_dir, "log");
        using var writer = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        writer.Write("one\n"u8);
        writer.Flush();

        using var reader = new StreamReader(RegularFile.OpenRead(path));
        Assert.Equal("one", reader.ReadLine());
        writer.Write("two\n"u8);
        writer.Flush();
        Assert.Equal("two", reader.ReadLine());
    }
}
