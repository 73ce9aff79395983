#include "AwsXml.h"

#include <QXmlStreamReader>

namespace skydeck::aws::AwsXml {

Error malformed(const QString &what, const QString &detail)
{
    return Error(Error::Category::Server,
                 QStringLiteral("The server sent a malformed %1 response: %2").arg(what, detail),
                 QStringLiteral("MalformedXML"));
}

Result<Done> walk(const QByteArray &body, const QString &root, const QString &what, const ElementFn &onElement,
                  bool errorDocumentRoot)
{
    if (body.trimmed().isEmpty())
        return malformed(what, QStringLiteral("empty body"));
    QXmlStreamReader xml(body);
    QStringList path;
    bool sawRoot = false;
    bool rootClosed = false;
    while (!xml.atEnd()) {
        const auto t = xml.readNext();
        if (t == QXmlStreamReader::StartElement) {
            if (!sawRoot) {
                if (xml.name() != root) {
                    if (errorDocumentRoot && xml.name() == QLatin1String("Error"))
                        return Error(Error::Category::Server, QStringLiteral("The server answered with an error document"),
                                     QStringLiteral("ErrorDocument"));
                    return malformed(what, QStringLiteral("expected <%1>, got <%2>").arg(root, xml.name().toString()));
                }
                sawRoot = true;
                continue;
            }
            path.append(xml.name().toString());
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
