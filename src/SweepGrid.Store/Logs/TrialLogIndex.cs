using System.Text;
using SweepGrid.Core.Files;
using SweepGrid.Core.Sweeps;

namespace SweepGrid.Store.Logs;

/// <summary>
/// Where each trial's lines are in the store's log files, so that a trial page reads only its own
/// lines. The logs of a cluster that has run for days are large, and reading them whole for every
/// trial page made the page as slow as the logs are long. Each file is indexed once, then only what
/// was appended since the last look is read: log files only grow, and one that shrank (truncated, or
/// replaced by a shorter one) is indexed again from its start. A line still being written (no newline yet) waits for the next
/// look. Safe for concurrent requests.
/// The files are not trusted: only regular files are opened (a FIFO or a link to /dev/zero in logs/ is
/// refused unread and reported once through <paramref name="onRefused"/>), a line longer than
/// <see cref="MaxLineBytes"/> is passed over without being held, and a page reads at most
/// <see cref="TrialLog.MaxLines"/> lines of one trial from each file.
/// </summary>
public sealed class TrialLogIndex(string storeDirectory, Action<string>? onRefused = null)
{
    /// <summary>Longer than any line SweepGrid writes (an exception's stack is a few kB): a longer one is not ours.</summary>
    public const int MaxLineBytes = 256 * 1024;

    /// <summary>The trial id property as CompactJsonFormatter writes it, in the file's bytes.</summary>
    private static readonly byte[] Marker = "\"TrialId\":\""u8.ToArray();

    private const int TrialIdLength = 12;

    private readonly Dictionary<string, FileIndex> _files = new(StringComparer.Ordinal);
    private readonly HashSet<string> _refused = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>Where each trial's lines start in one file, and how much of it has been read.</summary>
    private sealed class FileIndex
    {
        public long Indexed { get; set; }

        public Dictionary<string, List<(long Offset, int Length)>> Lines { get; } = new(StringComparer.Ordinal);
    }

    /// <summary>Bytes read to index the files so far (what a look costs: only what was appended).</summary>
    public long IndexedBytes { get; private set; }

    /// <summary>The lines about <paramref name="trial"/> of <paramref name="sweep"/>, oldest first, the last <see cref="TrialLog.MaxLines"/>.</summary>
    public IReadOnlyList<TrialLog.Line> Read(string sweep, string trial)
    {
        var folder = Path.Combine(storeDirectory, StoreFiles.LogFolder);
        if (!Names.IsTrialId(trial) || !Directory.Exists(folder)) return [];
        var lines = new List<TrialLog.Line>();
        lock (_gate)
        {
            var present = Directory.EnumerateFiles(folder, "*.log").ToHashSet(StringComparer.Ordinal);
            foreach (var gone in _files.Keys.Where(f => !present.Contains(f)).ToList()) _files.Remove(gone);
            foreach (var file in present)
            {
                // Shared with the processes writing it; one deleted since it was listed (an old log let go) is skipped.
                using var stream = Open(file);
                if (stream is null)
                {
                    _files.Remove(file);
                    continue;
                }

                var index = Update(file, stream);
                if (!index.Lines.TryGetValue(trial, out var spans)) continue;
                // A file's lines are in time order: its last ones are all a page can show of it.
                foreach (var (offset, length) in spans.TakeLast(TrialLog.MaxLines))
                {
                    var bytes = new byte[length];
                    stream.Position = offset;
                    stream.ReadExactly(bytes);
                    if (TrialLog.Parse(Encoding.UTF8.GetString(bytes), sweep, trial) is { } line) lines.Add(line);
                }
            }
        }

        return lines.OrderBy(l => l.Time).TakeLast(TrialLog.MaxLines).ToList();
    }

    private FileStream? Open(string file)
    {
        try
        {
            return RegularFile.OpenRead(file);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (Exception e) when (e is RefusedFileException or UnauthorizedAccessException)
        {
            if (_refused.Add(file)) onRefused?.Invoke($"store logs: {e.Message}");
            return null;
        }
    }

    /// <summary>Indexes what was appended to the file since the last look (all of it when new, shrunk or replaced).</summary>
    private FileIndex Update(string file, FileStream stream)
    {
        if (!_files.TryGetValue(file, out var index) || stream.Length < index.Indexed) _files[file] = index = new FileIndex();
        stream.Position = index.Indexed;
        var buffer = new byte[1 << 16];
        var line = new MemoryStream();
        bool overlong = false; // the line so far is longer than MaxLineBytes: not held, not indexed
        long chunkStart = index.Indexed, lineStart = index.Indexed;
        int read;
        void Hold(int from, int count)
        {
            overlong |= line.Length + count > MaxLineBytes;
            if (overlong) line.SetLength(0);
            else line.Write(buffer, from, count);
        }

        while ((read = stream.Read(buffer)) > 0)
        {
            IndexedBytes += read;
            int from = 0;
            for (int newline; (newline = Array.IndexOf(buffer, (byte)'\n', from, read - from)) >= 0; from = newline + 1)
            {
                Hold(from, newline - from);
                if (!overlong) Add(index, line.GetBuffer().AsSpan(0, (int)line.Length), lineStart);
                lineStart = chunkStart + newline + 1;
                line.SetLength(0);
                overlong = false;
            }

            Hold(from, read - from);
            chunkStart += read;
        }

        // A last line without its newline is still being written: the next look reads it whole.
        index.Indexed = lineStart;
        return index;
    }

    private static void Add(FileIndex index, ReadOnlySpan<byte> line, long offset)
    {
        int at = line.IndexOf(Marker);
        if (at < 0 || line.Length < at + Marker.Length + TrialIdLength) return;
        var trial = Encoding.ASCII.GetString(line.Slice(at + Marker.Length, TrialIdLength));
        if (!Names.IsTrialId(trial)) return;
        if (!index.Lines.TryGetValue(trial, out var spans)) index.Lines[trial] = spans = [];
        spans.Add((offset, line.Length));
    }
}
