using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace SweepGrid.Analyzers;

/// <summary>
/// SG0001: no implicit conversion to TorchSharp's Scalar. TorchSharp 0.107 passes a Scalar's native
/// handle to libtorch and keeps no reference to the Scalar (no GC.KeepAlive), and Scalar has a finalizer
/// that frees the handle. An implicitly converted temporary (x.add_(g, alpha: 0.5), t * 2.0, t.pow(2))
/// is unreachable once its handle is read, so a collection triggered by any other thread during the
/// native call can free the value while libtorch reads it: libtorch then fails with "Expected false to
/// be true" (Scalar::toFloat on a freed tag), and the trial is charged for it. Seen in a CI run's worker
/// (SGD.step) and reproduced in a Release build in 0.3 s with a thread forcing collections.
/// A Scalar created with ToScalar() in a using declaration stays reachable until it is disposed.
/// Tensor's operators with a number (t * 0.5, 1 - t, t += 2) convert it the same way inside TorchSharp,
/// so they are reported too, as are the members that pass a constant Scalar of their own (add(t) and
/// add_(t) pass alpha 1, square() is pow(2), addcdiv(a, b) value 1): see <see cref="ScalarMakingMembers"/>.
/// TorchSharp's optimizers step with such temporaries (SGD.step: alpha: −lr), so creating one is reported
/// too: SweepGrid.Training.Loop.ScalarSafe has SGD and Adam.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ImplicitScalarAnalyzer : DiagnosticAnalyzer
{
    public const string Id = "SG0001";

    private static readonly DiagnosticDescriptor Rule = new(
        Id,
        "Implicit conversion to TorchSharp.Scalar",
        "'{0}' makes a temporary TorchSharp.Scalar, which TorchSharp does not keep alive, so a collection can free it while libtorch reads it; " +
        "use SweepGrid.Training.Runtime.Scalars or a ToScalar() in a using declaration",
        "Reliability",
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: "https://github.com/dotnet/TorchSharp/blob/main/src/TorchSharp/Scalar.cs");

    /// <summary>Tensor members (name, parameter count) whose TorchSharp 0.107 body converts a constant to a
    /// temporary Scalar (Tensor.Math.cs), found by reading its sources; a newer TorchSharp must be read again.</summary>
    private static readonly ImmutableHashSet<(string, int)> ScalarMakingMembers = ImmutableHashSet.Create(
        ("add", 1), ("add_", 1), ("addcdiv", 2), ("addcdiv_", 2), ("square", 0));

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule);

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            var scalar = start.Compilation.GetTypeByMetadataName("TorchSharp.Scalar");
            var tensor = start.Compilation.GetTypeByMetadataName("TorchSharp.torch+Tensor");
            if (scalar is null || tensor is null) return; // the project does not use TorchSharp
            start.RegisterOperationAction(c => Check(c, scalar), OperationKind.Conversion);
            start.RegisterOperationAction(c => CheckMember(c, tensor, ((IInvocationOperation)c.Operation).TargetMethod), OperationKind.Invocation);
            if (start.Compilation.GetTypeByMetadataName("TorchSharp.Modules.OptimizerHelper") is { } optimizer)
            {
                start.RegisterOperationAction(c => CheckOptimizer(c, optimizer, c.Operation.Type), OperationKind.Invocation, OperationKind.ObjectCreation);
            }
            start.RegisterOperationAction(c => CheckOperator(c, tensor, ((IBinaryOperation)c.Operation).OperatorMethod), OperationKind.Binary);
            start.RegisterOperationAction(c => CheckOperator(c, tensor, ((ICompoundAssignmentOperation)c.Operation).OperatorMethod), OperationKind.CompoundAssignment);
        });
    }

    /// <summary>A TorchSharp optimizer made by its factory (optim.SGD(...)) or constructor.</summary>
    private static void CheckOptimizer(OperationAnalysisContext context, INamedTypeSymbol optimizer, ITypeSymbol? made)
    {
        if (made is null || made.ContainingAssembly is null || !SymbolEqualityComparer.Default.Equals(made.ContainingAssembly, optimizer.ContainingAssembly)) return;
        for (var type = made; type is not null; type = type.BaseType)
        {
            if (!SymbolEqualityComparer.Default.Equals(type, optimizer)) continue;
            context.ReportDiagnostic(Diagnostic.Create(Rule, context.Operation.Syntax.GetLocation(), context.Operation.Syntax.ToString()));
            return;
        }
    }

    private static void CheckMember(OperationAnalysisContext context, INamedTypeSymbol tensor, IMethodSymbol method)
    {
        if (!SymbolEqualityComparer.Default.Equals(method.ContainingType, tensor)) return;
        if (!ScalarMakingMembers.Contains((method.Name, method.Parameters.Length))) return;
        context.ReportDiagnostic(Diagnostic.Create(Rule, context.Operation.Syntax.GetLocation(), context.Operation.Syntax.ToString()));
    }

    /// <summary>A Tensor operator with a number operand: TorchSharp converts the number to a temporary Scalar.</summary>
    private static void CheckOperator(OperationAnalysisContext context, INamedTypeSymbol tensor, IMethodSymbol? method)
    {
        if (method is null || !SymbolEqualityComparer.Default.Equals(method.ContainingType, tensor)) return;
        bool numberOperand = method.Parameters.Any(p => p.Type.SpecialType != SpecialType.None);
        // t + u is t.add(u), which passes alpha 1; s − t is (−t).add(s), the same; t − u calls libtorch directly.
        bool addition = method.Name == "op_Addition" || (method.Name == "op_Subtraction" && method.Parameters[0].Type.Name == "Scalar");
        if (!numberOperand && !addition) return;
        context.ReportDiagnostic(Diagnostic.Create(Rule, context.Operation.Syntax.GetLocation(), context.Operation.Syntax.ToString()));
    }

    private static void Check(OperationAnalysisContext context, INamedTypeSymbol scalar)
    {
        var conversion = (IConversionOperation)context.Operation;
        if (!conversion.IsImplicit || !conversion.Conversion.IsUserDefined) return;
        if (!SymbolEqualityComparer.Default.Equals(conversion.Type, scalar)) return;
        context.ReportDiagnostic(Diagnostic.Create(Rule, conversion.Operand.Syntax.GetLocation(), conversion.Operand.Syntax.ToString()));
    }
}
