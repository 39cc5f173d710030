using System.Security.Cryptography;
using System.Text.Json;
using SweepGrid.Core.Files;

namespace SweepGrid.Core.Checkpoints;

/// <summary>
/// The on-disk format of a checkpoint: a magic line, a JSON header naming the binary sections and
/// their lengths (plus any metadata), the sections, and a SHA-256 over everything before it. A file
/// that is short, foreign or altered fails <see cref="Read"/> with the reason, never half-loads.
/// Written atomically: temp file in the same folder, flushed to disk (fsync), then renamed over the
/// old one, which is kept as the previous generation (<see cref="PreviousPath"/>).
/// Each attempt of a trial writes a file of its own (<see cref="ForAttempt"/>), and resume reads the
/// newest attempt's first (<see cref="EarlierAttempts"/>): a superseded attempt whose node woke up after
/// the trial moved on writes only its own file, never over its successor's, whose renames it cannot
/// race. Names, not a check before the rename, because nothing between a check and a rename stops a
/// process frozen in between from renaming late.
/// </summary>
public static class CheckpointFile
{
    private static readonly byte[] Magic = "SWEEPGRID-CHECKPOINT 1\n"u8.ToArray();
    private const int HashLength = 32;

    /// <summary>A checkpoint's parts: metadata (JSON-serializable) and named binary sections.</summary>
    public sealed record Contents(JsonElement Metadata, IReadOnlyDictionary<string, byte[]> Sections);

    private sealed record Header(JsonElement Metadata, List<SectionEntry> Sections);

    private sealed record SectionEntry(string Name, long Length);

    /// <summary>NaN marks values not measured (e.g. a path length when off); JSON needs it spelled out.</summary>
    public static readonly JsonSerializerOptions Json = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public static string PreviousPath(string path) => path + ".prev";

    /// <summary>The file attempt <paramref name="attempt"/> writes: TRIAL.aN.ckpt beside <paramref name="trialPath"/> (TRIAL.ckpt).</summary>
    public static string ForAttempt(string trialPath, int attempt) =>
        Path.Combine(Path.GetDirectoryName(trialPath)!, $"{Path.GetFileNameWithoutExtension(trialPath)}.a{attempt}{Path.GetExtension(trialPath)}");

    /// <summary>
    /// The files of the attempts before <paramref name="attempt"/> that exist (either generation), newest
    /// attempt first, then TRIAL.ckpt itself (written by SweepGrid before files carried the attempt): where
    /// an attempt resumes from when it has no checkpoint of its own yet.
    /// </summary>
    public static IReadOnlyList<string> EarlierAttempts(string trialPath, int attempt)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(trialPath))!;
        if (!Directory.Exists(directory)) return [];
        var stem = Path.GetFileNameWithoutExtension(trialPath);
        var extension = Path.GetExtension(trialPath);
        var earlier = Directory.EnumerateFiles(directory, $"{stem}.a*{extension}*")
            .Select(f => AttemptOf(Path.GetFileName(f), stem, extension))
            .OfType<int>().Where(n => n < attempt).Distinct().OrderDescending()
            .Select(n => ForAttempt(trialPath, n)).ToList();
        if (File.Exists(trialPath) || File.Exists(PreviousPath(trialPath))) earlier.Add(trialPath);
        return earlier;
    }

    /// <summary>N of "STEM.aN.EXT" or "STEM.aN.EXT.prev"; null for any other name.</summary>
    private static int? AttemptOf(string name, string stem, string extension)
    {
        if (name.EndsWith(".prev", StringComparison.Ordinal)) name = name[..^".prev".Length];
        if (!name.StartsWith(stem + ".a", StringComparison.Ordinal) || !name.EndsWith(extension, StringComparison.Ordinal)) return null;
        var digits = name.AsSpan(stem.Length + 2, name.Length - stem.Length - 2 - extension.Length);
        return digits.Length is > 0 and <= 9 && int.TryParse(digits, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n) && n >= 1
            ? n
            : null;
    }

    public static void Write<T>(string path, T metadata, IReadOnlyList<(string Name, byte[] Bytes)> sections)
    {
        var header = new Header(JsonSerializer.SerializeToElement(metadata, Json), sections.Select(s => new SectionEntry(s.Name, s.Bytes.LongLength)).ToList());
        var headerBytes = JsonSerializer.SerializeToUtf8Bytes(header);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, TempName(path, Guid.NewGuid().ToString("N")));
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
            {
                void Put(ReadOnlySpan<byte> bytes)
                {
                    file.Write(bytes);
                    hash.AppendData(bytes);
                }

                Put(Magic);
                Span<byte> length = stackalloc byte[4];
                System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(length, headerBytes.Length);
                Put(length);
                Put(headerBytes);
                foreach (var (_, bytes) in sections) Put(bytes);
                file.Write(hash.GetHashAndReset());
                file.Flush(flushToDisk: true); // the data is on disk before the rename makes it the checkpoint
            }

            if (File.Exists(path)) File.Move(path, PreviousPath(path), overwrite: true);
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>The most a checkpoint can be read into: one array.</summary>
    public const long MaxBytes = int.MaxValue;

    /// <summary>
    /// Reads and verifies one file; throws <see cref="InvalidDataException"/> saying what is wrong, and
    /// <see cref="RefusedFileException"/> before reading anything that is not a regular file of at most
    /// <paramref name="maxBytes"/> (a FIFO would block the worker, a link to /dev/zero never ends).
    /// </summary>
    public static Contents Read(string path, long maxBytes = MaxBytes)
    {
        var bytes = RegularFile.ReadAllBytes(path, Math.Min(maxBytes, MaxBytes));
        if (bytes.Length < Magic.Length + 4 + HashLength || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw new InvalidDataException($"{path}: not a SweepGrid checkpoint");
        }

        var body = bytes.AsSpan(0, bytes.Length - HashLength);
        if (!SHA256.HashData(body).AsSpan().SequenceEqual(bytes.AsSpan(bytes.Length - HashLength)))
        {
            throw new InvalidDataException($"{path}: checksum mismatch (truncated or altered)");
        }

        int at = Magic.Length;
        int headerLength = System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(body[at..]);
        at += 4;
        if (headerLength < 0 || headerLength > body.Length - at) throw new InvalidDataException($"{path}: header length {headerLength} runs past the end");
        var header = JsonSerializer.Deserialize<Header>(body.Slice(at, headerLength))
            ?? throw new InvalidDataException($"{path}: empty header");
        at += headerLength;
        var sections = new Dictionary<string, byte[]>();
        foreach (var s in header.Sections)
        {
            if (s.Length < 0 || at + s.Length > body.Length) throw new InvalidDataException($"{path}: section {s.Name} runs past the end");
            sections[s.Name] = body.Slice(at, (int)s.Length).ToArray();
            at += (int)s.Length;
        }

        if (at != body.Length) throw new InvalidDataException($"{path}: {body.Length - at} bytes after the last section");
        return new Contents(header.Metadata, sections);
    }

    /// <summary>
    /// The newest checkpoint at <paramref name="path"/> that verifies: the current file, else the
    /// previous generation; null when neither exists or verifies (the reasons are in <paramref name="rejected"/>).
    /// </summary>
    public static Contents? ReadLastGood(string path, out IReadOnlyList<string> rejected, long maxBytes = MaxBytes)
    {
        var reasons = new List<string>();
        rejected = reasons;
        return ReadGood(path, reasons, maxBytes).FirstOrDefault();
    }

    /// <summary>
    /// Each generation at <paramref name="path"/> that verifies, newest first, so that a caller that finds
    /// the newest unusable (a header it cannot interpret) falls back to the previous one. The reasons
    /// the others did not verify, or were refused unread, are added to <paramref name="rejected"/>.
    /// </summary>
    public static IEnumerable<Contents> ReadGood(string path, List<string> rejected, long maxBytes = MaxBytes)
    {
        foreach (var candidate in new[] { path, PreviousPath(path) })
        {
            Contents contents;
            try
            {
                contents = Read(candidate, maxBytes);
            }
            catch (FileNotFoundException)
            {
                continue;
            }
            catch (Exception e) when (e is InvalidDataException or JsonException or IOException or NotSupportedException or UnauthorizedAccessException)
            {
                rejected.Add(e.Message);
                continue;
            }

            yield return contents;
        }
    }

    /// <summary>
    /// Removes every attempt's files of the trial (<paramref name="path"/> is TRIAL.ckpt), both generations
    /// each, and any temp file a killed writer left behind; nothing to remove (not even the folder) is fine.
    /// </summary>
    public static void Delete(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!Directory.Exists(directory)) return;
        var stem = Path.GetFileNameWithoutExtension(path);
        var extension = Path.GetExtension(path);
        foreach (var file in Directory.EnumerateFiles(directory, $"{stem}.a*{extension}*").Where(f => AttemptOf(Path.GetFileName(f), stem, extension) is not null))
        {
            File.Delete(file);
        }

        File.Delete(path);
        File.Delete(PreviousPath(path));
        foreach (var orphan in Directory.EnumerateFiles(directory, $".{stem}.*.tmp")) File.Delete(orphan);
    }

    private static string TempName(string path, string unique) => $".{Path.GetFileName(path)}.{unique}.tmp";
}
