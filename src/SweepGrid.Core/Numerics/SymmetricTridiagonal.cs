namespace SweepGrid.Core.Numerics;

/// <summary>
/// Eigenvalues and eigenvectors' first components of a real symmetric tridiagonal matrix: what a
/// Lanczos run's T_m yields for stochastic Lanczos quadrature (Ritz values θ_i, weights τ_i² = the
/// squared first components). Implicit QL with Wilkinson shifts (Bowdler, Martin, Reinsch and
/// Wilkinson 1968, "The QR and QL algorithms for symmetric matrices"; the tqli routine of Press et
/// al., Numerical Recipes, §11.3). Pure: no tensors.
/// </summary>
public static class SymmetricTridiagonal
{
    private const int MaxSweepsPerEigenvalue = 60;

    /// <param name="diagonal">α_1..α_m.</param>
    /// <param name="offDiagonal">β_1..β_{m−1}: the entries beside the diagonal.</param>
    /// <returns>Eigenvalues in ascending order, each with the first component of its unit eigenvector.</returns>
    public static (double[] Values, double[] FirstComponents) Eigen(IReadOnlyList<double> diagonal, IReadOnlyList<double> offDiagonal)
    {
        int n = diagonal.Count;
        if (offDiagonal.Count != Math.Max(0, n - 1)) throw new ArgumentException($"{n} diagonal entries need {n - 1} beside them, got {offDiagonal.Count}", nameof(offDiagonal));
        var d = diagonal.ToArray();
        var e = new double[n];
        for (int i = 0; i < n - 1; i++) e[i] = offDiagonal[i];
        var z = new double[n, n];
        for (int i = 0; i < n; i++) z[i, i] = 1;
        QL(d, e, z);
        var order = Enumerable.Range(0, n).OrderBy(i => d[i]).ToArray();
        return (order.Select(i => d[i]).ToArray(), order.Select(i => z[0, i]).ToArray());
    }

    /// <summary>In place: d becomes the eigenvalues, z's columns the eigenvectors; e (e[i] between rows i and i+1, e[n−1] = 0) is destroyed.</summary>
    private static void QL(double[] d, double[] e, double[,] z)
    {
        int n = d.Length;
        for (int l = 0; l < n; l++)
        {
            int iterations = 0, m;
            do
            {
                // Find a negligible off-diagonal entry: the matrix splits there.
                for (m = l; m < n - 1; m++)
                {
                    double dd = Math.Abs(d[m]) + Math.Abs(d[m + 1]);
                    if (Math.Abs(e[m]) + dd == dd) break;
                }

                if (m == l) break;
                if (++iterations > MaxSweepsPerEigenvalue) throw new ArithmeticException("tridiagonal QL did not converge");
                double g = (d[l + 1] - d[l]) / (2 * e[l]);
                double r = Hypot(g, 1);
                g = d[m] - d[l] + e[l] / (g + (g >= 0 ? Math.Abs(r) : -Math.Abs(r)));
                double s = 1, c = 1, p = 0;
                int i;
                bool underflow = false;
                for (i = m - 1; i >= l; i--)
                {
                    double f = s * e[i], b = c * e[i];
                    e[i + 1] = r = Hypot(f, g);
                    if (r == 0)
                    {
                        // Recover from underflow: deflate and start again at l.
                        d[i + 1] -= p;
                        e[m] = 0;
                        underflow = true;
                        break;
                    }

                    s = f / r;
                    c = g / r;
                    g = d[i + 1] - p;
                    r = (d[i] - g) * s + 2 * c * b;
                    d[i + 1] = g + (p = s * r);
                    g = c * r - b;
                    for (int k = 0; k < n; k++)
                    {
                        f = z[k, i + 1];
                        z[k, i + 1] = s * z[k, i] + c * f;
                        z[k, i] = c * z[k, i] - s * f;
                    }
                }

                if (underflow) continue;
                d[l] -= p;
                e[l] = g;
                e[m] = 0;
            }
            while (true);
        }
    }

    private static double Hypot(double a, double b) => Math.Sqrt(a * a + b * b);
}
