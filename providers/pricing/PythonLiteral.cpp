#include "PythonLiteral.h"

#include <QVariantList>
#include <QVariantMap>

namespace skydeck::pricing {

namespace {

class Parser
{
public:
    explicit Parser(const QString &text) : m_s(text) {}

    Result<QVariant> parseAll()
    {
        Result<QVariant> v = value(0);
        if (!v.ok())
            return v;
        skipSpace();
        if (m_i != m_s.size())
            return fail(QStringLiteral("text after the value"));
        return v;
    }

private:
    Error fail(const QString &why) const
    {
        return Error(Error::Category::InvalidInput, QStringLiteral("at %1: %2").arg(m_i).arg(why),
                     QStringLiteral("MalformedLiteral"));
    }

    void skipSpace()
    {
        while (m_i < m_s.size() && (m_s.at(m_i) == QLatin1Char(' ') || m_s.at(m_i) == QLatin1Char('\t')
                                    || m_s.at(m_i) == QLatin1Char('\n') || m_s.at(m_i) == QLatin1Char('\r')))
            ++m_i;
    }

    bool eat(QChar c)
    {
        skipSpace();
        if (m_i < m_s.size() && m_s.at(m_i) == c) {
            ++m_i;
            return true;
        }
        return false;
    }

    Result<QVariant> value(int depth)
    {
        if (depth > kMaxLiteralDepth)
            return fail(QStringLiteral("nested deeper than %1").arg(kMaxLiteralDepth));
        skipSpace();
        if (m_i >= m_s.size())
            return fail(QStringLiteral("a value is missing"));
        const QChar c = m_s.at(m_i);
        if (c == QLatin1Char('{'))
            return dict(depth);
        if (c == QLatin1Char('['))
            return sequence(depth, QLatin1Char(']'));
        if (c == QLatin1Char('('))
            return sequence(depth, QLatin1Char(')'));
        if (c == QLatin1Char('\'') || c == QLatin1Char('"')) {
            Result<QString> s = string();
            if (!s.ok())
                return s.error();
            return QVariant(s.value());
        }
        if (c == QLatin1Char('-') || c == QLatin1Char('+') || c.isDigit() || c == QLatin1Char('.'))
            return number();
        for (const auto &[word, v] : {std::pair{QLatin1String("True"), QVariant(true)},
                                      std::pair{QLatin1String("False"), QVariant(false)},
                                      std::pair{QLatin1String("None"), QVariant()}}) {
            if (QStringView(m_s).mid(m_i).startsWith(word)) {
                const qsizetype end = m_i + word.size();
                if (end < m_s.size() && (m_s.at(end).isLetterOrNumber() || m_s.at(end) == QLatin1Char('_')))
                    break;  // TrueX: a name
                m_i = end;
                return v;
            }
        }
        return fail(QStringLiteral("not a literal (a name, call or operator is never evaluated)"));
    }

    Result<QVariant> dict(int depth)
    {
        ++m_i;  // {
        QVariantMap map;
        if (eat(QLatin1Char('}')))
            return QVariant(map);
        for (;;) {
            skipSpace();
            if (m_i >= m_s.size() || (m_s.at(m_i) != QLatin1Char('\'') && m_s.at(m_i) != QLatin1Char('"')))
                return fail(QStringLiteral("a dict key that is not a string"));
            Result<QString> key = string();
            if (!key.ok())
                return key.error();
            if (!eat(QLatin1Char(':')))
                return fail(QStringLiteral("':' expected after a key (a set is not read)"));
            Result<QVariant> v = value(depth + 1);
            if (!v.ok())
                return v;
            map.insert(key.value(), v.value());
            if (eat(QLatin1Char(','))) {
                if (eat(QLatin1Char('}')))
                    return QVariant(map);
                continue;
            }
            if (eat(QLatin1Char('}')))
                return QVariant(map);
            return fail(QStringLiteral("',' or '}' expected"));
        }
    }

    Result<QVariant> sequence(int depth, QChar close)
    {
        ++m_i;  // [ or (
        QVariantList list;
        if (eat(close))
            return QVariant(list);
        for (;;) {
            Result<QVariant> v = value(depth + 1);
            if (!v.ok())
                return v;
            list.append(v.value());
            if (eat(QLatin1Char(','))) {
                if (eat(close))
                    return QVariant(list);
                continue;
            }
            if (eat(close))
                return QVariant(list);
            return fail(QStringLiteral("',' or '%1' expected").arg(close));
        }
    }

    Result<QString> string()
    {
        const QChar quote = m_s.at(m_i++);
        QString out;
        while (m_i < m_s.size()) {
            const QChar c = m_s.at(m_i++);
            if (c == quote)
                return out;
            if (c == QLatin1Char('\n'))
                return fail(QStringLiteral("a line break inside a string"));
            if (c != QLatin1Char('\\')) {
                out.append(c);
                continue;
            }
            if (m_i >= m_s.size())
                break;
            const QChar e = m_s.at(m_i++);
            switch (e.unicode()) {
            case '\\': out.append(QLatin1Char('\\')); break;
            case '\'': out.append(QLatin1Char('\'')); break;
            case '"': out.append(QLatin1Char('"')); break;
            case 'n': out.append(QLatin1Char('\n')); break;
            case 't': out.append(QLatin1Char('\t')); break;
            default: return fail(QStringLiteral("an escape that is not read: \\%1").arg(e));
            }
        }
        return fail(QStringLiteral("a string is not closed"));
    }

    Result<QVariant> number()
    {
        const qsizetype start = m_i;
        if (m_s.at(m_i) == QLatin1Char('-') || m_s.at(m_i) == QLatin1Char('+'))
            ++m_i;
        bool isFloat = false;
        while (m_i < m_s.size()) {
            const QChar c = m_s.at(m_i);
            if (c.isDigit() && c.unicode() < 128) {
                ++m_i;
            } else if (c == QLatin1Char('.') || c == QLatin1Char('e') || c == QLatin1Char('E')) {
                isFloat = true;
                ++m_i;
                if ((c == QLatin1Char('e') || c == QLatin1Char('E')) && m_i < m_s.size()
                    && (m_s.at(m_i) == QLatin1Char('-') || m_s.at(m_i) == QLatin1Char('+')))
                    ++m_i;
            } else {
                break;
            }
        }
        const QString text = m_s.mid(start, m_i - start);
        bool ok = false;
        if (!isFloat) {
            const qint64 v = text.toLongLong(&ok);
            if (ok)
                return QVariant(v);
        } else {
            const double v = text.toDouble(&ok);
            if (ok)
                return QVariant(v);
        }
        m_i = start;
        return fail(QStringLiteral("not a number: %1").arg(text));
    }

    const QString &m_s;
    qsizetype m_i = 0;
};

} // namespace

Result<QVariant> parsePythonLiteral(const QString &text)
{
    if (text.size() > kMaxLiteralLength)
        return Error(Error::Category::InvalidInput, QStringLiteral("a literal longer than %1 characters").arg(kMaxLiteralLength),
                     QStringLiteral("MalformedLiteral"));
    return Parser(text).parseAll();
}

} // namespace skydeck::pricing
