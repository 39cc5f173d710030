using System.Text.Json;
using SweepGrid.Core.Checkpoints;

namespace SweepGrid.Core.Tests.Checkpoints;

public sealed class CheckpointFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sweepgrid-ckpt-").FullName;

    private string Path => System.IO.Path.Combine(_dir, "sweep", "trial.ckpt");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private sealed record Meta(string Trial, int Epoch);

    private void WriteEpoch(int epoch) =>
        CheckpointFile.Write(Path, new Meta("t1", epoch), [("model", [1, 2, 3, (byte)epoch]), ("empty", []), ("rng", [9])]);

    [Fact]
    public void A_written_checkpoint_reads_back_whole_and_leaves_no_temp_file()
    {
        WriteEpoch(1);

        var contents = CheckpointFile.Read(Path);

        Assert.Equal(new Meta("t1", 1), contents.Metadata.Deserialize<Meta>());
        Assert.Equal([1, 2, 3, 1], contents.Sections["model"]);
        Assert.Empty(contents.Sections["empty"]);
        Assert.Equal([9], contents.Sections["rng"]);
        Assert.Equal(["trial.ckpt"], Directory.GetFiles(System.IO.Path.GetDirectoryName(Path)!).Select(System.IO.Path.GetFileName));
    }

    [Fact]
    public void Any_flipped_byte_or_truncation_is_refused_with_the_reason()
    {
        WriteEpoch(1);
        var good = File.ReadAllBytes(Path);

        for (int i = 0; i < good.Length; i += 7)
        {
            var bad = (byte[])good.Clone();
            bad[i] ^= 0x40;
            File.WriteAllBytes(Path, bad);
            Assert.Throws<InvalidDataException>(() => CheckpointFile.Read(Path));
        }

        File.WriteAllBytes(Path, good[..^5]);
        var truncated = Assert.Throws<InvalidDataException>(() => CheckpointFile.Read(Path));
        Assert.Contains("checksum mismatch", truncated.Message);
        File.WriteAllText(Path, "hello");
        Assert.Contains("not a SweepGrid checkpoint", Assert.Throws<InvalidDataException>(() => CheckpointFile.Read(Path)).Message);
    }

    [Fact]
    public void The_last_good_generation_is_used_when_the_newest_is_damaged()
    {
        WriteEpoch(1);
        WriteEpoch(2);
        Assert.Equal(2, CheckpointFile.ReadLastGood(Path, out var none)!.Metadata.Deserialize<Meta>()!.Epoch);
        Assert.Empty(none);

        var bytes = File.ReadAllBytes(Path);
        bytes[^1] ^= 1;
        File.WriteAllBytes(Path, bytes);
        var fallback = CheckpointFile.ReadLastGood(Path, out var rejected);

        Assert.Equal(1, fallback!.Metadata.Deserialize<Meta>()!.Epoch);
        Assert.Contains("checksum mismatch", Assert.Single(rejected));

        File.WriteAllBytes(CheckpointFile.PreviousPath(Path), [1, 2, 3]);
        Assert.Null(CheckpointFile.ReadLastGood(Path, out var both));
        Assert.Equal(2, both.Count);

        // A writer killed between creating its temp file and the rename leaves the temp file.
        File.WriteAllBytes(System.IO.Path.Combine(System.IO.Path.GetDirectoryName(Path)!, ".trial.ckpt.0123abcd.tmp"), [1]);
        CheckpointFile.Delete(Path);
        Assert.Empty(Directory.GetFiles(System.IO.Path.GetDirectoryName(Path)!));
        CheckpointFile.Delete(Path); // already gone
        CheckpointFile.Delete(System.IO.Path.Combine(_dir, "no-such-folder", "t.ckpt"));
    }

    [Fact]
    public void Each_attempt_has_a_file_of_its_own_and_resume_looks_at_the_newest_earlier_attempt_first()
    {
        var a1 = CheckpointFile.ForAttempt(Path, 1);
        var a2 = CheckpointFile.ForAttempt(Path, 2);
        var a10 = CheckpointFile.ForAttempt(Path, 10);
        Assert.Equal(System.IO.Path.Combine(_dir, "sweep", "trial.a2.ckpt"), a2);
        CheckpointFile.Write(Path, new Meta("t1", 1), [("model", [1])]); // as SweepGrid wrote it before 2026-12
        CheckpointFile.Write(a1, new Meta("t1", 2), [("model", [2])]);
        CheckpointFile.Write(a2, new Meta("t1", 3), [("model", [3])]);
        CheckpointFile.Write(a2, new Meta("t1", 4), [("model", [4])]); // a2 now has both generations
        CheckpointFile.Write(a10, new Meta("t1", 9), [("model", [9])]);
        File.WriteAllBytes(System.IO.Path.Combine(_dir, "sweep", "trial.aX.ckpt"), [1]); // not an attempt's: ignored
        File.WriteAllBytes(System.IO.Path.Combine(_dir, "sweep", "other.a1.ckpt"), [1]); // another trial's

        Assert.Equal([a2, a1, Path], CheckpointFile.EarlierAttempts(Path, 3));
        Assert.Equal([a10, a2, a1, Path], CheckpointFile.EarlierAttempts(Path, 11));
        Assert.Equal([Path], CheckpointFile.EarlierAttempts(Path, 1));
        Assert.Empty(CheckpointFile.EarlierAttempts(System.IO.Path.Combine(_dir, "nowhere", "trial.ckpt"), 3));

        CheckpointFile.Delete(Path);

        Assert.Equal(["other.a1.ckpt", "trial.aX.ckpt"],
            Directory.GetFiles(System.IO.Path.GetDirectoryName(Path)!).Select(System.IO.Path.GetFileName).Order(StringComparer.Ordinal));
    }
}
