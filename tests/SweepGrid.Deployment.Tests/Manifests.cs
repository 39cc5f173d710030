using YamlDotNet.RepresentationModel;
using SweepGrid.Tests.Shared;

namespace SweepGrid.Deployment.Tests;

/// <summary>
/// The Kubernetes objects a kustomization builds, read the way kustomize reads them: its resources
/// (files, and folders holding a kustomization of their own, recursively) and the ConfigMaps its
/// generators make. Enough of kustomize to check invariants; `kubectl kustomize k8s/` is the real thing.
/// </summary>
internal sealed class Manifests
{
    public sealed record Resource(string File, YamlMappingNode Node)
    {
        public string Kind => Node.Str("kind");

        public string Name => Node.Get("metadata").Str("name");
    }

    public sealed record GeneratedConfigMap(string Name, IReadOnlyList<string> Files, IReadOnlyList<string> Literals);

    public List<Resource> Resources { get; } = [];

    public List<GeneratedConfigMap> ConfigMaps { get; } = [];

    public static Manifests Build(string kustomizationDir)
    {
        var manifests = new Manifests();
        manifests.Visit(Path.GetFullPath(Path.Combine(TestMachine.RepoRoot(), kustomizationDir)));
        return manifests;
    }

    public static List<YamlMappingNode> Documents(string file)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(file);
        stream.Load(reader);
        return stream.Documents.Select(d => d.RootNode).OfType<YamlMappingNode>().ToList();
    }

    private void Visit(string dir)
    {
        var file = Path.Combine(dir, "kustomization.yaml");
        if (!File.Exists(file)) throw new FileNotFoundException($"{dir}: a resource folder without kustomization.yaml");
        var kustomization = Documents(file).Single();
        foreach (var resource in kustomization.SeqOrEmpty("resources").Select(r => Path.GetFullPath(Path.Combine(dir, r.Str()))))
        {
            if (Directory.Exists(resource)) Visit(resource);
            else if (File.Exists(resource)) Resources.AddRange(Documents(resource).Select(d => new Resource(resource, d)));
            else throw new FileNotFoundException($"{file}: resource {resource} does not exist");
        }

        foreach (var generator in kustomization.SeqOrEmpty("configMapGenerator").Cast<YamlMappingNode>())
        {
            var files = generator.SeqOrEmpty("files").Select(f => Path.GetFullPath(Path.Combine(dir, f.Str()))).ToList();
            var missing = files.Where(f => !File.Exists(f)).ToList();
            if (missing.Count > 0) throw new FileNotFoundException($"{file}: configMapGenerator files missing: {string.Join(", ", missing)}");
            var literals = generator.SeqOrEmpty("literals").Select(l => l.Str()).ToList();
            ConfigMaps.RemoveAll(c => c.Name == generator.Str("name") && generator.Has("behavior") && generator.Str("behavior") == "replace");
            ConfigMaps.Add(new GeneratedConfigMap(generator.Str("name"), files, literals));
        }
    }

    public Resource Single(string kind, string name) =>
        Resources.SingleOrDefault(r => r.Kind == kind && r.Name == name) ?? throw new InvalidOperationException($"no {kind} {name} in the manifests");

    public IEnumerable<Resource> OfKind(string kind) => Resources.Where(r => r.Kind == kind);
}

/// <summary>Terse navigation of YAML trees; a missing key fails with its name.</summary>
internal static class YamlNav
{
    public static YamlNode Get(this YamlNode node, string key) =>
        node is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode(key), out var value)
            ? value
            : throw new KeyNotFoundException($"key '{key}' not found at line {node.Start.Line}");

    public static bool Has(this YamlNode node, string key) => node is YamlMappingNode map && map.Children.ContainsKey(new YamlScalarNode(key));

    public static string Str(this YamlNode node, string key) => node.Get(key).Str();

    public static string Str(this YamlNode node) => ((YamlScalarNode)node).Value ?? "";

    public static IReadOnlyList<YamlNode> Seq(this YamlNode node, string key) => ((YamlSequenceNode)node.Get(key)).Children.ToList();

    public static IReadOnlyList<YamlNode> SeqOrEmpty(this YamlNode node, string key) => node.Has(key) ? node.Seq(key) : [];

    public static IReadOnlyDictionary<string, string> Labels(this YamlNode node) =>
        ((YamlMappingNode)node).Children.ToDictionary(kv => kv.Key.Str(), kv => kv.Value.Str());

    public static YamlNode Path(this YamlNode node, params string[] keys) => keys.Aggregate(node, (n, k) => n.Get(k));
}
