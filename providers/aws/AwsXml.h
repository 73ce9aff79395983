#pragma once

#include "Error.h"
#include "Result.h"

#include <QStringList>

#include <functional>

class QXmlStreamReader;

// The XML walk the S3 and EC2 parsers share.
namespace skydeck::aws::AwsXml {

// Limits every S3 and EC2 reader obeys, whatever the server sends. Real documents are far inside
// them: an S3 listing nests 3 deep and holds keys of at most 1024 bytes; EC2's deepest answers
// (DescribeInstances' network interfaces) nest about 10 deep and a 1000-instance page is a few MiB.
inline constexpr int kMaxDepth = 64;                  // elements below the root
inline constexpr qsizetype kMaxTextChars = 1 << 20;    // one element's text
inline constexpr qsizetype kMaxBodyBytes = 64 << 20;   // one document

// "The server sent a malformed <what> response: <detail>" (code MalformedXML, category server).
Error malformed(const QString &what, const QString &detail);

// The text of the element the reader stands on (its start), children's texts included, read without
// recursion; the reader then stands on the element's end. Nesting deeper than kMaxDepth or a text
// longer than kMaxTextChars raises an error on the reader (the walk reports it) and answers "".
QString text(QXmlStreamReader &xml);

// Raises "elements nested deeper than kMaxDepth levels" on the reader when depth exceeds the limit.
bool checkDepth(QXmlStreamReader &xml, qsizetype depth);

// Called at every start element below the root with the element names from the root down (e.g.
// {"Contents","Key"}). It may read the element's text (the reader then stands on the element's
// end) or a whole subtree (then it returns true).
using ElementFn = std::function<bool(const QStringList &path, QXmlStreamReader &xml)>;

// Walks a document whose root must be `root` (an empty `root`: any root element). Fails on an empty
// body, XML errors, a wrong root or a missing end, a body over kMaxBodyBytes or nesting over
// kMaxDepth. With errorDocumentRoot, an <Error> root in place of `root` answers ErrorDocument.
Result<Done> walk(const QByteArray &body, const QString &root, const QString &what, const ElementFn &onElement,
                  bool errorDocumentRoot = false);

} // namespace skydeck::aws::AwsXml
