using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using SweepGrid.Analyzers;

namespace SweepGrid.Training.Tests.Runtime;

/// <summary>SG0001 (build/Analyzers) on snippets compiled against the TorchSharp this project uses.</summary>
public sealed class ImplicitScalarAnalyzerTests
{
    [Theory]
    [InlineData("t * 0.5")]
    [InlineData("0.5 * t")]
    [InlineData("1 - t")]
    [InlineData("t / 4")]
    [InlineData("t.pow(2)")]
    [InlineData("t.add_(u, alpha: 0.5)")]
    [InlineData("t.add_(u)")]
    [InlineData("t + u")]
    [InlineData("t + s")]
    [InlineData("s - t")]
    [InlineData("t.square()")]
    [InlineData("t.addcdiv_(u, u)")]
    [InlineData("t.clamp_(min: 0)")]
    [InlineData("optim.SGD(System.Array.Empty<TorchSharp.Modules.Parameter>(), 0.1)")]
    [InlineData("new TorchSharp.Modules.Adam(System.Array.Empty<TorchSharp.Modules.Parameter>())")]
    public void A_temporary_scalar_is_reported(string expression)
    {
        var diagnostics = Analyze($"var r = {expression};");
        Assert.Contains(diagnostics, d => d.Id == ImplicitScalarAnalyzer.Id);
    }

    [Theory]
    [InlineData("t * u")]
    [InlineData("t - u")]
    [InlineData("t - s")]
    [InlineData("t.mul(s)")]
    [InlineData("t.add_(u, s)")]
    [InlineData("t.pow(s)")]
    [InlineData("t.sum()")]
    public void Scalars_held_in_using_declarations_and_tensor_operands_are_not(string expression)
    {
        var diagnostics = Analyze($"var r = {expression};");
        Assert.DoesNotContain(diagnostics, d => d.Id == ImplicitScalarAnalyzer.Id);
    }

    private static ImmutableArray<Diagnostic> Analyze(string statement)
    {
        string source = $$"""
            using TorchSharp;
            using static TorchSharp.torch;
            static class Snippet
            {
                static void Run(Tensor t, Tensor u)
                {
                    using var s = 0.5.ToScalar();
                    {{statement}}
                }
            }
            """;
        var references = AppDomain.CurrentDomain.GetAssemblies()
            .Where(a => !a.IsDynamic && a.Location.Length > 0)
            .Select(a => MetadataReference.CreateFromFile(a.Location))
            .Append(MetadataReference.CreateFromFile(typeof(TorchSharp.torch).Assembly.Location));
        var compilation = CSharpCompilation.Create("Snippet", [CSharpSyntaxTree.ParseText(source)], references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, $"the snippet does not compile: {string.Join("; ", errors)}");
        return compilation.WithAnalyzers([new ImplicitScalarAnalyzer()]).GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();
    }
}
