using System.Text;

namespace SweepGrid.Core.Slots;

/// <summary>A memory cgroup hierarchy this process is in: its version (1 or 2) and the folder of this process's own group.</summary>
public sealed record CgroupPlace(int Version, string Directory);

/// <summary>
/// Where this process's memory cgroup is, from the texts of /proc/self/mountinfo and /proc/self/cgroup.
/// cgroup v2 first (the unified hierarchy: the "0::PATH" line and a cgroup2 mount), then v1's memory
/// hierarchy (the line whose controllers include memory, and the cgroup mount with the memory option).
/// A group's folder is the mount point plus the process's path below the mount's root: in a container
/// without a cgroup namespace of its own, /proc/self/cgroup names the host's path (/docker/ID) and the
/// container's mount has that path as its root. Whether the memory controller can be used there is the
/// caller's question (it needs the files); this only reads the two texts.
/// </summary>
public static class CgroupPlaces
{
    public static IReadOnlyList<CgroupPlace> Find(string mountInfo, string selfCgroup)
    {
        var groups = Lines(selfCgroup).Select(line => line.Split(':', 3)).Where(fields => fields.Length == 3).ToList();
        var mounts = Lines(mountInfo).Select(Mount.Parse).OfType<Mount>().ToList();
        var places = new List<CgroupPlace>();
        if (groups.FirstOrDefault(g => g[0] == "0" && g[1].Length == 0) is { } unified &&
            mounts.Where(m => m.Type == "cgroup2").Select(m => m.Below(unified[2])).FirstOrDefault(d => d is not null) is { } v2)
        {
            places.Add(new CgroupPlace(2, v2));
        }

        if (groups.FirstOrDefault(g => g[1].Split(',').Contains("memory")) is { } memory &&
            mounts.Where(m => m.Type == "cgroup" && m.SuperOptions.Split(',').Contains("memory")).Select(m => m.Below(memory[2])).FirstOrDefault(d => d is not null) is { } v1)
        {
            places.Add(new CgroupPlace(1, v1));
        }

        return places;
    }

    private static IEnumerable<string> Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>One line of mountinfo: "ID PARENT MAJ:MIN ROOT POINT OPTIONS [OPTIONAL...] - TYPE SOURCE SUPER-OPTIONS" (proc(5)).</summary>
    private sealed record Mount(string Root, string Point, string Type, string SuperOptions)
    {
        public static Mount? Parse(string line)
        {
            var fields = line.Split(' ');
            int separator = fields.Length > 6 ? Array.IndexOf(fields, "-", 6) : -1;
            if (separator < 0 || separator + 1 >= fields.Length) return null;
            return new Mount(Unescape(fields[3]), Unescape(fields[4]), fields[separator + 1], separator + 3 < fields.Length ? fields[separator + 3] : "");
        }

        /// <summary>The folder of <paramref name="path"/> in this mount; null when the path is not below its root, or climbs out.</summary>
        public string? Below(string path)
        {
            if (!path.StartsWith('/') || path.Split('/').Any(part => part is ".." or ".")) return null;
            string rest;
            if (Root == "/") rest = path;
            else if (path == Root) rest = "/";
            else if (path.StartsWith(Root + "/", StringComparison.Ordinal)) rest = path[Root.Length..];
            else return null;
            return rest == "/" ? Point : Point.TrimEnd('/') + rest;
        }

        /// <summary>mountinfo writes a space, tab, newline and backslash in a path as \040, \011, \012 and \134.</summary>
        private static string Unescape(string field)
        {
            if (!field.Contains('\\')) return field;
            var text = new StringBuilder();
            for (int i = 0; i < field.Length; i++)
            {
                if (field[i] == '\\' && IsOctal(field, i + 1))
                {
                    text.Append((char)Convert.ToInt32(field.Substring(i + 1, 3), 8));
                    i += 3;
                }
                else
                {
                    text.Append(field[i]);
                }
            }

            return text.ToString();
        }

        private static bool IsOctal(string field, int at) =>
            at + 3 <= field.Length && field.Substring(at, 3).All(c => c is >= '0' and <= '7');
    }
}
