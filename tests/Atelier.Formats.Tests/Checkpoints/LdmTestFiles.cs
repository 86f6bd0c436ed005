using Atelier.Formats.Checkpoints;
using Atelier.Formats.Safetensors;

namespace Atelier.Formats.Tests.Checkpoints;

/// <summary>One tensor to write: name, dtype, shape, bytes.</summary>
internal sealed record RawTensor(string Name, SafetensorsDType DType, long[] Shape, byte[] Bytes)
{
    public static RawTensor From(CheckpointTensor tensor, string name) => new(name, tensor.FileDType, tensor.ShapeArray(), tensor.Span.ToArray());
}

/// <summary>
/// Writes test checkpoints, including ldm single files built from diffusers components by the inverse key map —
/// written independently of the loader's map (prefix tables generated from the structure), so the two check each other.
/// </summary>
internal static class LdmTestFiles
{
    public static void Write(string path, IEnumerable<RawTensor> tensors, IEnumerable<KeyValuePair<string, string>>? metadata = null) =>
        SafetensorsWriter.Write(path, tensors.Select(t => (new SafetensorsTensorSpec(t.Name, t.DType, t.Shape), (ReadOnlyMemory<byte>)t.Bytes)), metadata);

    /// <summary>A diffusers UNet's tensors under ldm names (<c>model.diffusion_model.*</c>).</summary>
    public static IEnumerable<RawTensor> UNetToLdm(ComponentWeights unet, int levels, int layers, bool[] attention)
    {
        var prefixes = new List<(string Diffusers, string Ldm, bool Resnet)>
        {
            ("conv_in.", "input_blocks.0.0.", false),
            ("time_embedding.linear_1.", "time_embed.0.", false),
            ("time_embedding.linear_2.", "time_embed.2.", false),
            ("conv_norm_out.", "out.0.", false),
            ("conv_out.", "out.2.", false),
            ("mid_block.resnets.0.", "middle_block.0.", true),
            ("mid_block.attentions.0.", "middle_block.1.", false),
            ("mid_block.resnets.1.", "middle_block.2.", true),
        };
        int stride = layers + 1;
        for (int i = 0; i < levels; i++)
        {
            for (int j = 0; j < layers; j++)
            {
                prefixes.Add(($"down_blocks.{i}.resnets.{j}.", $"input_blocks.{i * stride + j + 1}.0.", true));
                if (attention[i])
                    prefixes.Add(($"down_blocks.{i}.attentions.{j}.", $"input_blocks.{i * stride + j + 1}.1.", false));
            }
            if (i < levels - 1)
                prefixes.Add(($"down_blocks.{i}.downsamplers.0.conv.", $"input_blocks.{(i + 1) * stride}.0.op.", false));
            bool upAttention = attention[levels - 1 - i];
            for (int j = 0; j <= layers; j++)
            {
                prefixes.Add(($"up_blocks.{i}.resnets.{j}.", $"output_blocks.{i * stride + j}.0.", true));
                if (upAttention)
                    prefixes.Add(($"up_blocks.{i}.attentions.{j}.", $"output_blocks.{i * stride + j}.1.", false));
            }
            if (i < levels - 1)
                prefixes.Add(($"up_blocks.{i}.upsamplers.0.conv.", $"output_blocks.{i * stride + layers}.{(upAttention ? 2 : 1)}.conv.", false));
        }
        var resnetParts = new Dictionary<string, string>
        {
            ["norm1."] = "in_layers.0.", ["conv1."] = "in_layers.2.", ["time_emb_proj."] = "emb_layers.1.",
            ["norm2."] = "out_layers.0.", ["conv2."] = "out_layers.3.", ["conv_shortcut."] = "skip_connection.",
        };
        foreach (var tensor in unet.Tensors)
        {
            var (diffusers, ldm, resnet) = prefixes.Where(p => tensor.Name.StartsWith(p.Diffusers, StringComparison.Ordinal)).MaxBy(p => p.Diffusers.Length);
            Assert.NotNull(diffusers);
            string rest = tensor.Name[diffusers.Length..];
            if (resnet)
            {
                var part = resnetParts.Single(p => rest.StartsWith(p.Key, StringComparison.Ordinal));
                rest = part.Value + rest[part.Key.Length..];
            }
            yield return RawTensor.From(tensor, "model.diffusion_model." + ldm + rest);
        }
    }

    /// <summary>A diffusers CLIPTextModel's tensors as an OpenCLIP tower (<c>cond_stage_model.model.*</c>), q/k/v fused into in_proj.</summary>
    public static IEnumerable<RawTensor> TextToOpenClip(ComponentWeights text, int layers)
    {
        const string p = "cond_stage_model.model.";
        yield return RawTensor.From(text["text_model.embeddings.token_embedding.weight"], p + "token_embedding.weight");
        yield return RawTensor.From(text["text_model.embeddings.position_embedding.weight"], p + "positional_embedding");
        yield return RawTensor.From(text["text_model.final_layer_norm.weight"], p + "ln_final.weight");
        yield return RawTensor.From(text["text_model.final_layer_norm.bias"], p + "ln_final.bias");
        for (int n = 0; n < layers; n++)
        {
            string d = $"text_model.encoder.layers.{n}.";
            string o = $"{p}transformer.resblocks.{n}.";
            foreach (string parameter in new[] { "weight", "bias" })
            {
                var q = text[$"{d}self_attn.q_proj.{parameter}"];
                byte[] fused = [.. q.Span, .. text[$"{d}self_attn.k_proj.{parameter}"].Span, .. text[$"{d}self_attn.v_proj.{parameter}"].Span];
                long[] shape = q.ShapeArray();
                shape[0] *= 3;
                yield return new RawTensor($"{o}attn.in_proj_{parameter}", q.FileDType, shape, fused);
                yield return RawTensor.From(text[$"{d}self_attn.out_proj.{parameter}"], $"{o}attn.out_proj.{parameter}");
                yield return RawTensor.From(text[$"{d}layer_norm1.{parameter}"], $"{o}ln_1.{parameter}");
                yield return RawTensor.From(text[$"{d}layer_norm2.{parameter}"], $"{o}ln_2.{parameter}");
                yield return RawTensor.From(text[$"{d}mlp.fc1.{parameter}"], $"{o}mlp.c_fc.{parameter}");
                yield return RawTensor.From(text[$"{d}mlp.fc2.{parameter}"], $"{o}mlp.c_proj.{parameter}");
            }
        }
    }

    /// <summary>Renames resblock <paramref name="from"/>'s tensors to resblock <paramref name="to"/> (to add the extra last layer SD 2.x files carry).</summary>
    public static IEnumerable<RawTensor> CopyResblock(IEnumerable<RawTensor> openClip, int from, int to) =>
        openClip.Where(t => t.Name.Contains($".resblocks.{from}.", StringComparison.Ordinal))
            .Select(t => t with { Name = t.Name.Replace($".resblocks.{from}.", $".resblocks.{to}.", StringComparison.Ordinal) });

    public static byte[] Floats(params float[] values)
    {
        var bytes = new byte[values.Length * 4];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        return bytes;
    }
}
