using System.Text.RegularExpressions;
using System.Xml.Linq;
using static SweepGrid.Deployment.Tests.Manifests;
using static SweepGrid.Tests.Shared.TestMachine;

namespace SweepGrid.Deployment.Tests;

/// <summary>
/// The Dockerfile cannot be built here (no Docker engine); what can be checked without one is that
/// it copies paths that exist, builds every project's restore graph, and threads the backend choice
/// through the build property and the runtime stage.
/// </summary>
public sealed partial class DockerfileTests
{
    private static readonly string Root = RepoRoot();

    /// <summary>Instructions with their continuation lines joined, comments dropped.</summary>
    private static readonly List<string> Instructions = ReadInstructions(Path.Combine(Root, "Dockerfile"));

    private static List<string> ReadInstructions(string path)
    {
        var joined = Regex.Replace(File.ReadAllText(path), @"\\\r?\n", " ");
        return joined.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
    }

    [Fact]
    public void Every_path_copied_from_the_repository_exists_and_is_not_docker_ignored()
    {
        var ignored = File.ReadAllLines(Path.Combine(Root, ".dockerignore")).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        var copies = Instructions.Where(i => i.StartsWith("COPY ", StringComparison.Ordinal) && !i.Contains("--from=", StringComparison.Ordinal)).ToList();
        Assert.True(copies.Count >= 10, $"only {copies.Count} COPY instructions");
        foreach (var copy in copies)
        {
            var parts = copy.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..^1];
            foreach (var source in parts)
            {
                var path = Path.Combine(Root, source.TrimEnd('/'));
                Assert.True(File.Exists(path) || Directory.Exists(path), $"{copy}: {source} does not exist");
                Assert.DoesNotContain(ignored, i => i.TrimEnd('/') == source.TrimEnd('/'));
            }
        }
    }

    [Fact]
    public void Every_source_project_is_copied_before_the_restore()
    {
        var restore = Instructions.FindIndex(i => i.StartsWith("RUN dotnet restore", StringComparison.Ordinal));
        var copiedBefore = Instructions.Take(restore).Where(i => i.StartsWith("COPY ", StringComparison.Ordinal)).SelectMany(i => i.Split(' ')).ToHashSet();
        var projects = Directory.GetFiles(Path.Combine(Root, "src"), "*.csproj", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(Root, p).Replace('\\', '/')).ToList();
        Assert.Equal(7, projects.Count); // Core, Data, Store, Training, Cluster, Worker, Cli
        Assert.All(projects, p => Assert.Contains(p, copiedBefore));
        Assert.Contains("Directory.Packages.props", copiedBefore);
    }

    [Fact]
    public void The_backend_argument_reaches_every_dotnet_command_and_picks_the_runtime_stage()
    {
        Assert.Equal("ARG TORCH_BACKEND=cpu", Instructions[0]);
        var dotnetCommands = Instructions.Where(i => DotnetBuildStep().IsMatch(i)).ToList();
        Assert.True(dotnetCommands.Count >= 3);
        foreach (var run in dotnetCommands)
        {
            foreach (Match step in DotnetBuildStep().Matches(run))
            {
                var command = run[step.Index..].Split("&&")[0];
                Assert.Contains("-p:TorchBackend=${TORCH_BACKEND}", command);
            }
        }

        Assert.Contains(Instructions, i => i.StartsWith("FROM ", StringComparison.Ordinal) && i.EndsWith(" AS runtime-cpu", StringComparison.Ordinal));
        Assert.Contains(Instructions, i => i.StartsWith("FROM nvidia/cuda:", StringComparison.Ordinal) && i.EndsWith(" AS runtime-cuda", StringComparison.Ordinal));
        Assert.Contains("FROM runtime-${TORCH_BACKEND} AS runtime", Instructions);

        // The property it sets: defaulted in one place, and choosing the package in the Training project.
        var props = XDocument.Load(Path.Combine(Root, "Directory.Build.props"));
        Assert.Equal("cpu", props.Descendants("TorchBackend").Single().Value);
        var training = XDocument.Load(Path.Combine(Root, "src", "SweepGrid.Training", "SweepGrid.Training.csproj"));
        var torch = training.Descendants("PackageReference").Where(r => ((string?)r.Attribute("Include"))?.StartsWith("TorchSharp", StringComparison.Ordinal) == true)
            .ToDictionary(r => (string)r.Attribute("Include")!, r => (string?)r.Attribute("Condition"));
        Assert.Equal(new Dictionary<string, string?>
        {
            ["TorchSharp-cpu"] = "'$(TorchBackend)' == 'cpu'",
            ["TorchSharp-cuda-linux"] = "'$(TorchBackend)' == 'cuda'",
        }, torch);
        var versions = XDocument.Load(Path.Combine(Root, "Directory.Packages.props")).Descendants("PackageVersion")
            .ToDictionary(v => (string)v.Attribute("Include")!, v => (string)v.Attribute("Version")!);
        Assert.Equal(versions["TorchSharp-cpu"], versions["TorchSharp-cuda-linux"]);
    }

    [Fact]
    public void The_image_runs_the_published_sweepgrid_as_a_non_root_user()
    {
        Assert.Contains(Instructions, i => i.Contains("dotnet publish src/SweepGrid.Cli/SweepGrid.Cli.csproj", StringComparison.Ordinal) && i.EndsWith("-o /app", StringComparison.Ordinal));
        Assert.Contains("COPY --from=build /app /opt/sweepgrid", Instructions);
        Assert.Contains("ENTRYPOINT [\"/opt/sweepgrid/sweepgrid\"]", Instructions);
        var assemblyName = XDocument.Load(Path.Combine(Root, "src", "SweepGrid.Cli", "SweepGrid.Cli.csproj")).Descendants("AssemblyName").Single().Value;
        Assert.Equal("sweepgrid", assemblyName);
        var user = Instructions.Single(i => i.StartsWith("USER ", StringComparison.Ordinal))["USER ".Length..];
        Assert.Matches("^[1-9][0-9]*:[1-9][0-9]*$", user);
    }

    [GeneratedRegex(@"dotnet (restore|build|test|publish) ")]
    private static partial Regex DotnetBuildStep();
}
