namespace Atelier.Models.Mini;

/// <summary>The deterministic samplers of <see cref="MiniSampler"/>.</summary>
public enum MiniSolver
{
    /// <summary>DDIM with η = 0 (Song et al. 2021, eq. 12).</summary>
    Ddim,

    /// <summary>DPM-Solver++(2M), the multistep second-order data-prediction solver (Lu et al. 2022, Algorithm 2).</summary>
    DpmSolverPlusPlus2M,
}
