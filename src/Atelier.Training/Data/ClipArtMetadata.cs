using System.Xml;
using System.Xml.Linq;

namespace Atelier.Training.Data;

/// <summary>
/// What an Open Clip Art Library SVG says about itself in its embedded RDF (<c>metadata/rdf:RDF/cc:Work</c>):
/// <c>dc:title</c>, <c>dc:subject</c> keywords, <c>dc:creator</c> and the <c>cc:license</c> URI. Elements are matched
/// by local name because files use both the old (web.resource.org/cc) and new (creativecommons.org/ns) namespaces.
/// </summary>
public sealed record ClipArtMetadata(string Title, IReadOnlyList<string> Keywords, string Creator, string LicenceUri)
{
    /// <summary>Parses the SVG's metadata; internal DTD entities (Illustrator exports) are expanded, external ones never fetched.</summary>
    /// <exception cref="InvalidDataException">The file is not well-formed XML.</exception>
    public static ClipArtMetadata Parse(byte[] svg, string name)
    {
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Parse,
            XmlResolver = null,
            MaxCharactersFromEntities = 1_000_000,  // entity-expansion bomb guard
            MaxCharactersInDocument = 50_000_000,
        };
        XDocument document;
        try
        {
            using var reader = XmlReader.Create(new MemoryStream(svg), settings);
            document = XDocument.Load(reader);
        }
        catch (XmlException e)
        {
            throw new InvalidDataException($"{name}: not well-formed XML (line {e.LineNumber}): {e.Message}", e);
        }
        XElement? work = document.Descendants().FirstOrDefault(e => e.Name.LocalName == "Work");
        if (work is null)
            return new ClipArtMetadata("", [], "", "");
        string title = Child(work, "title")?.Value.Trim() ?? "";
        string[] keywords = Children(work, "subject").SelectMany(s => s.Descendants().Where(e => e.Name.LocalName == "li"))
            .Select(li => li.Value).DefaultIfEmpty(Child(work, "subject")?.Value ?? "")
            .SelectMany(v => v.Split([',', ';', ' ', '\t', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .ToArray();
        string creator = Child(work, "creator")?.Descendants().FirstOrDefault(e => e.Name.LocalName == "title")?.Value.Trim() ?? "";
        string licence = Child(work, "license")?.Attributes().FirstOrDefault(a => a.Name.LocalName == "resource")?.Value.Trim() ?? "";
        return new ClipArtMetadata(title, keywords, creator, licence);
    }

    private static XElement? Child(XElement parent, string localName) => Children(parent, localName).FirstOrDefault();

    private static IEnumerable<XElement> Children(XElement parent, string localName) =>
        parent.Elements().Where(e => e.Name.LocalName == localName);
}
