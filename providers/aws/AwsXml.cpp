#include "AwsXml.h"

#include <QXmlStreamReader>

namespace skydeck::aws::AwsXml {

Error malformed(const QString &what, const QString &detail)
{
    return Error(Error::Category::Server,
                 QStringLiteral("The server sent a malformed %1 response: %2").arg(what, detail),
                 QStringLiteral("MalformedXML"));
}

bool checkDepth(QXmlStreamReader &xml, qsizetype depth)
{
    if (depth <= kMaxDepth)
        return true;
    xml.raiseError(QStringLiteral("elements nested deeper than %1 levels").arg(kMaxDepth));
    return false;
}

QString text(QXmlStreamReader &xml)
{
    QString out;
    qsizetype depth = 1;
    while (!xml.atEnd()) {
        const auto t = xml.readNext();
        if (t == QXmlStreamReader::Characters || t == QXmlStreamReader::EntityReference) {
            out += xml.text();
            if (out.size() > kMaxTextChars) {
                xml.raiseError(QStringLiteral("an element text longer than %1 MiB").arg(kMaxTextChars >> 20));
                return {};
            }
        } else if (t == QXmlStreamReader::StartElement) {
            if (!checkDepth(xml, ++depth))
                return {};
        } else if (t == QXmlStreamReader::EndElement) {
            if (--depth == 0)
                return out;
        }
    }
    return {};
}

Result<Done> walk(const QByteArray &body, const QString &root, const QString &what, const ElementFn &onElement,
                  bool errorDocumentRoot)
{
    if (body.trimmed().isEmpty())
        return malformed(what, QStringLiteral("empty body"));
    if (body.size() > kMaxBodyBytes)
        return malformed(what, QStringLiteral("the document is larger than %1 MiB").arg(kMaxBodyBytes >> 20));
    QXmlStreamReader xml(body);
    QStringList path;
    bool sawRoot = false;
    bool rootClosed = false;
    while (!xml.atEnd()) {
        const auto t = xml.readNext();
        if (t == QXmlStreamReader::StartElement) {
            if (!sawRoot) {
                if (errorDocumentRoot && xml.name() == QLatin1String("Error") && root != QLatin1String("Error"))
                    return Error(Error::Category::Server, QStringLiteral("The server answered with an error document"),
                                 QStringLiteral("ErrorDocument"));
                if (!root.isEmpty() && xml.name() != root)
                    return malformed(what, QStringLiteral("expected <%1>, got <%2>").arg(root, xml.name().toString()));
                sawRoot = true;
                continue;
            }
            path.append(xml.name().toString());
            if (!checkDepth(xml, path.size()))
                break;
            const bool consumed = onElement(path, xml);
            // A read text ends on the element's EndElement; a consumed subtree ended too.
            if (consumed || xml.tokenType() == QXmlStreamReader::EndElement)
                path.removeLast();
        } else if (t == QXmlStreamReader::EndElement) {
            if (path.isEmpty())
                rootClosed = true;
            else
                path.removeLast();
        }
    }
    if (xml.hasError())
        return malformed(what, xml.errorString() + QStringLiteral(" at line %1").arg(xml.lineNumber()));
    if (!sawRoot || !rootClosed)
        return malformed(what, QStringLiteral("truncated document"));
    return Done{};
}

} // namespace skydeck::aws::AwsXml
