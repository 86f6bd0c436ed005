using System.Text.Json;
using Atelier.Training.Data;

namespace Atelier.Training.Tests.Data;

public class CaptionTests
{
    [Fact]
    public void Build_FollowsTheTemplateThenTags()
    {
        Assert.Equal("pizza, noto style, cheese, slice", CaptionBuilder.Build("pizza", "noto", ["cheese", "slice"]));
        Assert.Equal("pizza, fluent 3d style", CaptionBuilder.Build("pizza", "fluent 3d", []));
    }

    [Fact]
    public void Build_SkipsTagsRepeatingTheLabelAndKeepsAtMostFour()
    {
        string caption = CaptionBuilder.Build("waving hand", "twemoji", ["hand", "wave", "hello", "Wave", "hi", "bye", "yo"]);

        Assert.Equal("waving hand, twemoji style, wave, hello, hi, bye", caption);
    }

    [Fact]
    public void Lexicon_SkinToneVariantsHaveTheirLabelAndInheritBaseTags()
    {
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(new object[]
        {
            new { hexcode = "1F44B", label = "waving hand", tags = new[] { "wave", "hand" }, version = 0.6,
                skins = new[] { new { hexcode = "1F44B-1F3FD", label = "waving hand: medium skin tone", version = 1.0 } } },
            new { hexcode = "0023-FE0F-20E3", label = "keycap: #", tags = new[] { "keycap" }, version = 0.6 },
            new { hexcode = "1F590", label = "hand with fingers splayed", tags = new[] { "hand", "splayed" }, version = 0.7 },
        });
        EmojiLexicon lexicon = EmojiLexicon.Parse(json, "data.json");

        EmojiName tone = lexicon.Find("1f44b-1f3fd")!;
        Assert.Equal("waving hand: medium skin tone", tone.Label);
        Assert.Equal("waving hand", tone.ConceptLabel);
        // "hand" is shared by two emoji, so it ranks before "wave".
        Assert.Equal(["hand", "wave"], tone.Tags);
        Assert.Equal("waving hand: medium skin tone, twemoji style, wave", CaptionBuilder.Build(tone.Label, "twemoji", tone.Tags));
        Assert.Equal("keycap: #", lexicon.Find("23-fe0f-20e3")!.Label);
        Assert.Null(lexicon.Find("1F355"));
    }

    [Fact]
    public void Lexicon_RecordWithoutLabel_NamesFileAndRecord()
    {
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(new object[] { new { hexcode = "1F44B", label = "x" }, new { hexcode = "1F355" } });

        var e = Assert.Throws<InvalidDataException>(() => EmojiLexicon.Parse(json, "data.json"));

        Assert.Contains("data.json: record 1", e.Message);
        Assert.Contains("'label'", e.Message);
    }
}
