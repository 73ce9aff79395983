#pragma once

#include "Error.h"
#include "Result.h"

#include <QStringList>

#include <functional>

class QXmlStreamReader;

// The XML walk the S3 and EC2 parsers share.
namespace skydeck::aws::AwsXml {

// "The server sent a malformed <what> response: <detail>" (code MalformedXML, category server).
Error malformed(const QString &what, const QString &detail);

// Called at every start element below the root with the element names from the root down (e.g.
// {"Contents","Key"}). It may read the element's text (the reader then stands on the element's
// end) or a whole subtree (then it returns true).
using ElementFn = std::function<bool(const QStringList &path, QXmlStreamReader &xml)>;

// Walks a document whose root must be `root`. Fails on an empty body, XML errors, a wrong root or a
// missing end. With errorDocumentRoot, an <Error> root in place of `root` answers ErrorDocument.
Result<Done> walk(const QByteArray &body, const QString &root, const QString &what, const ElementFn &onElement,
                  bool errorDocumentRoot = false);

} // namespace skydeck::aws::AwsXml
