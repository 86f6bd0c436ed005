using System.Globalization;
using System.Text;

namespace Atelier.Training.Evaluation;

/// <summary>The numbers of <c>atelier eval</c> (see <see cref="MiniEvaluation"/>).</summary>
public sealed record MiniEvaluationResult
{
    public required int RetrievalQueries { get; init; }
    public required int RetrievalCandidates { get; init; }
    public required double RetrievalTop1 { get; init; }

    /// <summary>The same retrieval with the real held-out image in place of the generated one (CLIP-mini's own ceiling).</summary>
    public required double RealImageRetrievalTop1 { get; init; }

    public required int FrechetSetSize { get; init; }
    public required double FrechetGeneratedVsReal { get; init; }
    public required double FrechetRealVsReal { get; init; }

    public required int Variations { get; init; }
    public required double VariationsCloserToInput { get; init; }
    public required double VariationMeanCosine { get; init; }

    public required double SecondsPerImage { get; init; }
    public required string ContactSheet { get; init; }

    /// <summary>The markdown table the model card includes.</summary>
    public string ToMarkdown(string command)
    {
        var c = CultureInfo.InvariantCulture;
        var s = new StringBuilder();
        s.AppendLine("| metric | value | reference |");
        s.AppendLine("|---|---|---|");
        s.AppendLine(string.Create(c, $"| caption → generated image, top-1 among {RetrievalCandidates} held-out captions ({RetrievalQueries} queries) | **{RetrievalTop1:P1}** | chance {1.0 / RetrievalCandidates:P0}; target ≥ 50%; real held-out image: {RealImageRetrievalTop1:P1} |"));
        s.AppendLine(string.Create(c, $"| Fréchet distance, CLIP image embeddings, generated vs real ({FrechetSetSize} each) | **{FrechetGeneratedVsReal:F4}** | real vs real (two disjoint halves of the held-out images): {FrechetRealVsReal:F4} |"));
        s.AppendLine(string.Create(c, $"| variations closer to their input than to a random training image ({Variations} held-out inputs) | **{VariationsCloserToInput:P1}** | target ≥ 90%; mean cosine to input {VariationMeanCosine:F3} |"));
        s.AppendLine(string.Create(c, $"| wall time per generated image during the evaluation | {SecondsPerImage:F2} s | threads as run |"));
        s.AppendLine();
        s.AppendLine($"Contact sheet: `{ContactSheet}`. Reproduce: `{command}`.");
        return s.ToString();
    }
}
